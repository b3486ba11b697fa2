import { ConnectionLimits } from './connection-limits';

describe('ConnectionLimits', () => {
  it('caps connections per address, in all, and per integration, and frees slots on release', () => {
    const limits = new ConnectionLimits({ total: 3, perAddress: 2, perIntegration: 1 });
    expect(limits.admit('10.0.0.1')).toBeNull();
    expect(limits.admit('10.0.0.1')).toBeNull();
    expect(limits.admit('10.0.0.1')).toBe('at most 2 connections from one address');
    expect(limits.admit('10.0.0.2')).toBeNull();
    expect(limits.admit('10.0.0.3')).toBe('at most 3 connections on this server');
    expect(limits.connections).toBe(3);

    expect(limits.login('integration-a')).toBeNull();
    expect(limits.login('integration-a')).toBe('at most 1 connections per integration');
    expect(limits.login('integration-b')).toBeNull();

    limits.release('10.0.0.1', 'integration-a');
    expect(limits.fromAddress('10.0.0.1')).toBe(1);
    expect(limits.login('integration-a')).toBeNull();
    expect(limits.admit('10.0.0.3')).toBeNull();
    limits.release('10.0.0.3');
    limits.release('10.0.0.2', 'integration-b');
    limits.release('10.0.0.1', 'integration-a');
    expect(limits.connections).toBe(0);
    expect(limits.fromAddress('10.0.0.1')).toBe(0);
  });
});
