import { Writable } from 'node:stream';
import { AppConfig } from '../config/app-config';
import { ParleyLogger, type LogOptions } from './parley-logger.service';

function capture(env: Record<string, string> = {}, options: Omit<LogOptions, 'destination'> = {}) {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: new ParleyLogger(AppConfig.fromEnv(env), { ...options, destination }), lines };
}

describe('ParleyLogger', () => {
  it('keeps PARLEY_LOG_LEVEL semantics: log is info, verbose is trace, and less severe lines are dropped', () => {
    const quiet = capture({ PARLEY_LOG_LEVEL: 'warn' });
    quiet.logger.log('routine');
    quiet.logger.warn('odd');
    quiet.logger.error('bad');
    expect(quiet.lines.map((line) => [line.level, line.msg])).toEqual([
      ['warn', 'odd'],
      ['error', 'bad'],
    ]);
    const chatty = capture({ PARLEY_LOG_LEVEL: 'verbose' });
    chatty.logger.verbose('fine detail');
    chatty.logger.debug('detail');
    chatty.logger.log('routine');
    expect(chatty.lines.map((line) => line.level)).toEqual(['trace', 'debug', 'info']);
    expect(capture().logger.pino.level).toBe('info');
  });

  it("turns Nest's trailing context and an error's stack into fields", () => {
    const { logger, lines } = capture();
    logger.log('started', 'DatabaseService');
    logger.error('failed', 'Error: boom\n    at somewhere (file.ts:1:1)', 'ChatGateway');
    logger.error('failed without a stack', undefined, 'ChatGateway');
    expect(lines).toEqual([
      expect.objectContaining({ msg: 'started', context: 'DatabaseService' }),
      expect.objectContaining({ msg: 'failed', context: 'ChatGateway', stack: expect.stringContaining('at somewhere') }),
      expect.objectContaining({ msg: 'failed without a stack', context: 'ChatGateway' }),
    ]);
    expect(lines[2]).not.toHaveProperty('stack');
  });

  it('merges an object message into the line and serialises an Error', () => {
    const { logger, lines } = capture();
    logger.warn({ msg: 'refused', socketId: 'abc', code: 'FORBIDDEN' }, 'ChatGateway');
    logger.error(new Error('disk full'));
    expect(lines[0]).toMatchObject({ level: 'warn', msg: 'refused', socketId: 'abc', code: 'FORBIDDEN', context: 'ChatGateway' });
    expect(lines[1]).toMatchObject({ level: 'error', msg: 'disk full', err: { message: 'disk full', stack: expect.any(String) } });
  });

  it('censors passwords, tokens and credentials headers whoever logs them', () => {
    const { logger, lines } = capture();
    logger.log({
      msg: 'careless',
      password: 'hunter22',
      token: 'secret-token',
      user: { password: 'nested-secret' },
      req: { headers: { authorization: 'Bearer abc', cookie: 'parley_session=abc' } },
    });
    const text = JSON.stringify(lines);
    for (const secret of ['hunter22', 'secret-token', 'nested-secret', 'Bearer abc', 'parley_session=abc']) {
      expect(text).not.toContain(secret);
    }
    expect(lines[0]).toMatchObject({ password: '[redacted]', token: '[redacted]', user: { password: '[redacted]' } });
  });

  it('tags every line logged during a request with its id, across awaits', async () => {
    const { logger, lines } = capture();
    await new Promise<void>((resolve) =>
      logger.runInRequest('req-1', () => {
        void Promise.resolve().then(() => {
          logger.log('inside');
          resolve();
        });
      }),
    );
    logger.log('outside');
    expect(lines.map((line) => [line.msg, line.reqId])).toEqual([
      ['inside', 'req-1'],
      ['outside', undefined],
    ]);
  });

  it('takes a level from options over PARLEY_LOG_LEVEL, and from Nest at runtime', () => {
    const { logger, lines } = capture({ PARLEY_LOG_LEVEL: 'verbose' }, { level: 'error' });
    logger.warn('dropped');
    logger.setLogLevels(['error', 'warn']);
    logger.warn('kept');
    expect(lines.map((line) => line.msg)).toEqual(['kept']);
    expect(capture({}, { level: false }).logger.pino.level).toBe('silent');
  });
});
