import { sftpUsername } from './sftp-username.util';

describe('sftpUsername', () => {
  it.each([
    ['Manila BPO', 'bpo-manila-bpo-a1b2'],
    ['  São Paulo / Centro #2 ', 'bpo-sao-paulo-centro-2-a1b2'],
    ['Ærøskøbing', 'bpo-r-sk-bing-a1b2'],
    ['北京', 'bpo-site-a1b2'],
    ['---', 'bpo-site-a1b2'],
    ['A very long site name that goes on and on', 'bpo-a-very-long-site-name-th-a1b2'],
    ['abcdefghijklmnopqrstuvw x', 'bpo-abcdefghijklmnopqrstuvw-a1b2'],
  ])('%j gives %s', (name, expected) => {
    expect(sftpUsername(name, 'a1b2')).toBe(expected);
  });

  it('only ever holds letters, digits, _ and -', () => {
    for (const name of ['Ünïcödé', 'tab\tand\nnewline', 'dots.and@signs', '😀 site']) {
      expect(sftpUsername(name, 'zz99')).toMatch(/^[a-z0-9_-]+$/);
    }
  });
});
