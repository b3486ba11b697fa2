import { PermanentMessageError } from '@bpo/messaging';
import { DEFAULT_ROW_HORIZON } from '@bpo/schedule-time';
import { file } from './parser-test.fixtures';
import { announcedParseSettings } from './parser.repository';

describe('announcedParseSettings', () => {
  const horizon = { ...DEFAULT_ROW_HORIZON };
  const settings = { siteId: '00000000-0000-4000-8000-000000000005', timezone: 'Europe/Berlin', siteTimezone: 'America/New_York', dateOrder: 'DD/MM/YYYY', encoding: 'windows-1252', titleLines: 1 };

  it('takes the settings the file-received message carries, with its platform and the deployment horizon', () => {
    expect(announcedParseSettings({ ...file, platform: 'injixo', settings }, horizon)).toEqual({
      platform: 'injixo',
      timezone: 'Europe/Berlin',
      siteTimezone: 'America/New_York',
      dateOrder: 'DD/MM/YYYY',
      encoding: 'windows-1252',
      titleLines: 1,
      rowHorizon: horizon,
    });
  });

  it('has nothing for a message announced before messages carried settings (the integration is read instead)', () => {
    expect(announcedParseSettings(file, horizon)).toBeNull();
  });

  it('refuses a date order no template knows as a permanent problem', () => {
    expect(() => announcedParseSettings({ ...file, settings: { ...settings, dateOrder: 'YY.MM.DD' } }, horizon)).toThrow(PermanentMessageError);
  });
});
