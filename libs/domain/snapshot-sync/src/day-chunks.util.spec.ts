import { windowChunks } from './day-chunks.util';

describe('windowChunks', () => {
  const rows = (entries: Array<[string, number]>) => new Map(entries);

  it('keeps a small window whole', () => {
    expect(windowChunks({ from: '2026-12-01', to: '2026-12-03' }, rows([['2026-12-01', 5], ['2026-12-03', 5]]), 100)).toEqual([{ from: '2026-12-01', to: '2026-12-03' }]);
  });

  it('closes a range before it would pass the bound, covering every day exactly once', () => {
    const perDay = rows([
      ['2026-12-01', 40],
      ['2026-12-02', 40],
      ['2026-12-03', 40],
      ['2026-12-04', 0],
      ['2026-12-05', 90],
    ]);
    expect(windowChunks({ from: '2026-12-01', to: '2026-12-05' }, perDay, 100)).toEqual([
      { from: '2026-12-01', to: '2026-12-02' },
      { from: '2026-12-03', to: '2026-12-04' },
      { from: '2026-12-05', to: '2026-12-05' },
    ]);
  });

  it('gives a day larger than the bound a range of its own', () => {
    const perDay = rows([
      ['2026-12-01', 10],
      ['2026-12-02', 500],
      ['2026-12-03', 10],
    ]);
    expect(windowChunks({ from: '2026-12-01', to: '2026-12-03' }, perDay, 100)).toEqual([
      { from: '2026-12-01', to: '2026-12-01' },
      { from: '2026-12-02', to: '2026-12-02' },
      { from: '2026-12-03', to: '2026-12-03' },
    ]);
  });

  it('crosses month and year ends', () => {
    const chunks = windowChunks({ from: '2026-12-30', to: '2027-01-02' }, rows([]), 100);
    expect(chunks).toEqual([{ from: '2026-12-30', to: '2027-01-02' }]);
  });

  it('has nothing to apply for a reversed window', () => {
    expect(windowChunks({ from: '2026-12-03', to: '2026-12-01' }, rows([]), 100)).toEqual([]);
  });
});
