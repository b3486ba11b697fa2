import { renderCsvLine, splitCsvLine } from './csv-line.util';
import { Delimiters, type Delimiter } from './platform-template.constant';

describe('splitCsvLine / renderCsvLine', () => {
  it.each<[string, Delimiter, string[]]>([
    ['a,b,c', ',', ['a', 'b', 'c']],
    ['"Doe, Jane",b', ',', ['Doe, Jane', 'b']],
    ['"say ""hi""",b', ',', ['say "hi"', 'b']],
    ["O'Brien|x", '|', ["O'Brien", 'x']],
    ['a;;c;', ';', ['a', '', 'c', '']],
    ['5" screen,b', ',', ['5" screen', 'b']],
    [' "quoted" ,b', ',', ['quoted ', 'b']],
  ])('%j split by %j', (line, delimiter, cells) => {
    expect(splitCsvLine(line, delimiter)).toEqual(cells);
  });

  it.each(Delimiters)('round-trips awkward cells with %j', (delimiter) => {
    const cells = ['plain', 'Doe, Jane', 'a;b', 'a|b', 'tab\there', 'say "hi"', ' padded ', ''];
    expect(splitCsvLine(renderCsvLine(cells, delimiter), delimiter)).toEqual(cells);
  });
});
