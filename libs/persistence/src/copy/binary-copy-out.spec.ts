import { BinaryCopyDecoder, decodeBinaryCopy, uuidLiteral } from './binary-copy-out';
import { copyStream } from './binary-copy.fixtures';

describe('decodeBinaryCopy', () => {
  it('gives each row its fields as sent, NULL as null, whatever bytes they hold', () => {
    const seq = Buffer.alloc(4);
    seq.writeInt32BE(7);
    const bytes = Buffer.from([0, 255, 13, 10, 0x5c, 0x78]); // NUL, 0xff, CR LF, "\x": nothing is text here
    const rows = decodeBinaryCopy(copyStream([[seq, bytes], [Buffer.alloc(4), null], [Buffer.alloc(4), Buffer.alloc(0)]], Buffer.from('ext')));
    expect(rows.map((row) => row.map((field) => (field === null ? null : [...field])))).toEqual([
      [[0, 0, 0, 7], [0, 255, 13, 10, 0x5c, 0x78]],
      [[0, 0, 0, 0], null],
      [[0, 0, 0, 0], []],
    ]);
    expect(rows[0][0]!.readInt32BE(0)).toBe(7);
  });

  it('reads an empty result, and refuses what is not a whole binary COPY stream', () => {
    expect(decodeBinaryCopy(copyStream([]))).toEqual([]);
    expect(() => decodeBinaryCopy(Buffer.from('id,data\n1,abc\n'))).toThrow('not a binary COPY stream');
    const whole = copyStream([[Buffer.from('abcdef')]]);
    expect(() => decodeBinaryCopy(whole.subarray(0, whole.length - 5))).toThrow();
  });

  it('decodes the same rows however the stream is cut into chunks, and keeps no chunk whole', () => {
    const int8 = (value: bigint) => {
      const field = Buffer.alloc(8);
      field.writeBigInt64BE(value);
      return field;
    };
    const rows = [
      [int8(1n), Buffer.from('0123456789abcdef', 'hex'), null],
      [int8(-5n), Buffer.alloc(0), Buffer.from('x'.repeat(300))],
      [int8(2n ** 40n), Buffer.from([0xff, 0xff]), Buffer.from([0])],
    ];
    const whole = copyStream(rows, Buffer.from('extension'));
    const expected = decodeBinaryCopy(whole).map((row) => row.map((field) => field?.toString('hex') ?? null));
    expect(expected).toHaveLength(3);
    for (let size = 1; size <= whole.length; size += 1) {
      const decoder = new BinaryCopyDecoder();
      const seen: Array<Array<string | null>> = [];
      for (let at = 0; at < whole.length; at += size) {
        decoder.push(whole.subarray(at, at + size), (row) => {
          const fields: Array<string | null> = [];
          for (let i = 0; i < row.fields; i += 1) fields.push(row.length(i) < 0 ? null : row.buffer.toString('hex', row.start(i), row.start(i) + row.length(i)));
          seen.push(fields);
        });
        expect(decoder.buffer.length).toBeLessThan(400);
      }
      decoder.end();
      expect(seen).toEqual(expected);
    }
  });

  it('refuses a stream that stops inside a row or goes on after its trailer', () => {
    const whole = copyStream([[Buffer.from('abcdef')]]);
    const cut = new BinaryCopyDecoder();
    cut.push(whole.subarray(0, whole.length - 4), () => undefined);
    expect(() => cut.end()).toThrow('cut short');
    const longer = new BinaryCopyDecoder();
    longer.push(whole, () => undefined);
    expect(() => longer.push(Buffer.from([0]), () => undefined)).toThrow('after its trailer');
  });

  it('quotes only a uuid into a COPY', () => {
    expect(uuidLiteral('0123abcd-89ab-4def-8edc-ba9876543210', 'a run id')).toBe("'0123abcd-89ab-4def-8edc-ba9876543210'");
    expect(() => uuidLiteral("x' OR true --", 'a run id')).toThrow('not a run id');
    expect(() => uuidLiteral('0123abcd-89ab-4def-8edc-ba9876543210\'', 'a file id')).toThrow('not a file id');
  });
});
