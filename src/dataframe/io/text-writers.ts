import { EddyError } from '../../common/errors.js';
import type { FileSystem, WritableFile } from '../../storage/filesystem.js';
import type { RecordBatch } from '../batch.js';
import { simpleString, type StructType } from '../types.js';
import { checkCsvType, csvFormat, formatCsvField } from './csv.js';
import { internalToJson } from './json.js';
import type { Options } from './options.js';
import type { OutputFile } from './writer.js';

export interface FileWriterFactory {
  extension: string;
  create(fs: FileSystem, path: string): Promise<OutputFile>;
}

const encoder = new TextEncoder();

/** A file written as text lines, flushed once per batch. */
function lineFile(file: WritableFile, render: (b: RecordBatch) => string, head: string): OutputFile {
  let first = true;
  return {
    async add(b) {
      const s = (first ? head : '') + render(b);
      first = false;
      if (s.length > 0) await file.write(encoder.encode(s));
    },
    async close() {
      if (first && head) await file.write(encoder.encode(head));
      await file.close();
    },
    abort: () => file.abort(),
  };
}

export function csvFileWriter(schema: StructType, opts: Options): FileWriterFactory {
  for (const f of schema.fields) checkCsvType(f.name, f.dataType);
  const fmt = csvFormat(opts);
  const header = opts.bool('header', false);
  const headLine = header
    ? `${schema.fields.map((f) => formatCsvField(f.name, { kind: 'string' }, fmt)).join(fmt.sep)}\n`
    : '';
  return {
    extension: '.csv',
    async create(fs, path) {
      const file = await fs.create(path, { overwrite: false });
      return lineFile(
        file,
        (b) => {
          let s = '';
          const cols = b.columns;
          const types = schema.fields.map((f) => f.dataType);
          for (let i = 0; i < b.numRows; i++) {
            for (let j = 0; j < cols.length; j++) {
              if (j > 0) s += fmt.sep;
              s += formatCsvField(cols[j]!.get(i), types[j]!, fmt);
            }
            s += '\n';
          }
          return s;
        },
        headLine,
      );
    },
  };
}

export function jsonFileWriter(schema: StructType, _opts: Options): FileWriterFactory {
  return {
    extension: '.json',
    async create(fs, path) {
      const file = await fs.create(path, { overwrite: false });
      return lineFile(
        file,
        (b) => {
          let s = '';
          const fields = schema.fields;
          for (let i = 0; i < b.numRows; i++) {
            const parts: string[] = [];
            for (let j = 0; j < fields.length; j++) {
              const v = b.column(j).get(i);
              // Null fields are left out, as Spark's ignoreNullFields=true does.
              if (v !== null)
                parts.push(`${JSON.stringify(fields[j]!.name)}:${internalToJson(v, fields[j]!.dataType)}`);
            }
            s += `{${parts.join(',')}}\n`;
          }
          return s;
        },
        '',
      );
    },
  };
}

export function textFileWriter(schema: StructType): FileWriterFactory {
  if (schema.fields.length !== 1 || schema.fields[0]!.dataType.kind !== 'string') {
    throw new EddyError(
      'ANALYSIS_ERROR',
      `text data source supports only a single string column, but the data has [${schema.fields.map((f) => `${f.name}: ${simpleString(f.dataType)}`).join(', ')}]`,
    );
  }
  return {
    extension: '.txt',
    async create(fs, path) {
      const file = await fs.create(path, { overwrite: false });
      return lineFile(
        file,
        (b) => {
          let s = '';
          const c = b.column(0);
          for (let i = 0; i < b.numRows; i++) s += `${(c.get(i) as string | null) ?? ''}\n`;
          return s;
        },
        '',
      );
    },
  };
}
