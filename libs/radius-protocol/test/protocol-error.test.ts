// A RadiusProtocolError describes a datagram, not a fault in the code: it is thrown once per junk
// datagram of a flood, so it skips the stack trace (a third of the ingress's CPU under a flood when
// it did not), and leaves every other error's stack as it was.
import { describe, expect, it } from 'vitest';
import { decodePacket, RadiusProtocolError } from '@radius-mfa/radius-protocol';

describe('RadiusProtocolError', () => {
  it('carries its reason and message, and no stack frames', () => {
    let thrown: unknown;
    try {
      decodePacket(Buffer.alloc(3));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RadiusProtocolError);
    expect(thrown).toBeInstanceOf(Error);
    const error = thrown as RadiusProtocolError;
    expect(error.name).toBe('RadiusProtocolError');
    expect(error.reason).toBe('malformed_packet');
    expect(error.message.length).toBeGreaterThan(0);
    expect(error.stack).not.toMatch(/\n\s+at /);
  });

  it('leaves the stack traces of other errors, thrown after it, as they were', () => {
    const limit = Error.stackTraceLimit;
    expect(() => new RadiusProtocolError('bad_length', 'too short')).not.toThrow();
    expect(Error.stackTraceLimit).toBe(limit);
    expect(new Error('a fault in the code').stack).toMatch(/\n\s+at /);
  });
});
