import { canonicalPath, classifyUploadName, finalNameProblem, longName, resolvePath } from './sftp-names.util';

describe('resolvePath', () => {
  it.each([
    ['', { kind: 'root' }],
    ['/', { kind: 'root' }],
    ['.', { kind: 'root' }],
    ['/./', { kind: 'root' }],
    ['//', { kind: 'root' }],
    ['a.csv', { kind: 'file', name: 'a.csv' }],
    ['/a.csv', { kind: 'file', name: 'a.csv' }],
    ['./a.csv', { kind: 'file', name: 'a.csv' }],
    ['//a.csv/', { kind: 'file', name: 'a.csv' }],
    ['/ bad name.csv', { kind: 'file', name: ' bad name.csv' }],
  ])('%j -> %j', (raw, expected) => {
    expect(resolvePath(raw)).toEqual(expected);
  });

  it.each(['..', '../x.csv', '/../x.csv', '/a/../b.csv', 'a/..', '/etc/passwd', 'sub/a.csv', '/home/other/a.csv', 'a.csv\0.txt'])(
    'refuses %j as outside the folder',
    (raw) => {
      expect(resolvePath(raw).kind).toBe('outside');
    },
  );
});

describe('canonicalPath (REALPATH)', () => {
  it.each([
    ['', '/'],
    ['.', '/'],
    ['/', '/'],
    ['..', '/'],
    ['/../..', '/'],
    ['a.csv', '/a.csv'],
    ['/x/../a.csv', '/a.csv'],
    ['../a.csv', '/a.csv'],
  ])('%j -> %j', (raw, expected) => {
    expect(canonicalPath(raw)).toBe(expected);
  });

  it.each(['/etc/passwd', 'a/b', '/home/user/'])('has no answer for the sub-folder path %j', (raw) => {
    expect(canonicalPath(raw)).toBeNull();
  });
});

describe('upload names', () => {
  it.each(['schedule.csv', 'Schedule_2026-11-26.csv', 'a.b.c.csv', '-x.csv', '2026.csv'])('accepts %j as a final name', (name) => {
    expect(classifyUploadName(name)).toEqual({ kind: 'final' });
    expect(finalNameProblem(name)).toBeNull();
  });

  it.each(['schedule.csv.part', 'schedule.csv.tmp', 'schedule.csv.filepart', 'x.partial', 'upload.tmp'])('accepts %j as a temporary name', (name) => {
    expect(classifyUploadName(name)).toEqual({ kind: 'temporary' });
    expect(finalNameProblem(name)).toMatch(/must end in \.csv/);
  });

  it.each([
    ['schedule.txt', /must end in \.csv.*temporary name ending \.part/],
    ['schedule.CSV', /must end in \.csv/],
    ['schedule', /must end in \.csv/],
    ['.csv', /something before \.csv/],
    ['bad name.csv', /only use letters, digits/],
    ['é.csv', /only use letters, digits/],
    ['a;rm.csv', /only use letters, digits/],
    ['.part', /must end in \.csv/],
    ['', /required/],
    ['..', /not a file name/],
    [`${'a'.repeat(252)}.csv`, /at most 255/],
  ])('refuses %j and says why', (name, reason) => {
    const result = classifyUploadName(name);
    expect(result.kind).toBe('invalid');
    expect(result.kind === 'invalid' && result.reason).toMatch(reason);
  });
});

describe('longName', () => {
  const now = new Date('2026-11-26T12:00:00Z');

  it('shows the time for recent files, like ls -l', () => {
    expect(longName({ name: 'a.csv', sizeBytes: 1234, modifiedAt: new Date('2026-11-02T08:05:00Z') }, 'acme-nice', now)).toBe(
      '-rw-r--r--    1 acme-nic acme-nic         1234 Nov  2 08:05 a.csv',
    );
  });

  it('shows the year for old files', () => {
    expect(longName({ name: 'b.csv', sizeBytes: 0, modifiedAt: new Date('2025-01-15T08:05:00Z') }, 'x', now)).toContain('Jan 15  2025 b.csv');
  });
});
