// Test helper: binary COPY output built by hand.

/** A binary COPY stream as PostgreSQL writes it: signature, flags, header extension, tuples, trailer. */
export function copyStream(rows: Array<Array<Buffer | null>>, extension = Buffer.alloc(0)): Buffer {
  const parts: Buffer[] = [Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(4)];
  const extensionLength = Buffer.alloc(4);
  extensionLength.writeUInt32BE(extension.length);
  parts.push(extensionLength, extension);
  for (const row of rows) {
    const count = Buffer.alloc(2);
    count.writeInt16BE(row.length);
    parts.push(count);
    for (const field of row) {
      const length = Buffer.alloc(4);
      length.writeInt32BE(field === null ? -1 : field.length);
      parts.push(length, ...(field === null ? [] : [field]));
    }
  }
  parts.push(Buffer.from([0xff, 0xff]));
  return Buffer.concat(parts);
}
