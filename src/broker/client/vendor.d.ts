// Types for the pure-JavaScript codec packages the client uses (they ship none).
declare module 'snappyjs' {
  export function uncompress(data: Uint8Array, maxLength?: number): Uint8Array;
  export function compress(data: Uint8Array): Uint8Array;
}
declare module 'lz4js' {
  export function decompress(data: Uint8Array, maxSize?: number): Uint8Array;
  export function compress(data: Uint8Array, maxSize?: number): Uint8Array;
}
declare module 'lz4js/xxh32.js' {
  export function hash(seed: number, data: Uint8Array, index: number, length: number): number;
}
