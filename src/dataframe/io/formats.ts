export const FORMATS = ['csv', 'json', 'text', 'parquet'];
