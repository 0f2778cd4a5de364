// The benchmark's options (bench/options.ts): one schema, defaults that follow --quick, one line naming a bad option.
import { describe, expect, it } from 'vitest';
import { parseBenchOptions } from '../../bench/options';

const parse = (argv: string[], env: NodeJS.ProcessEnv = {}) => parseBenchOptions(argv, env);

describe('bench options', () => {
  it('default to a full run, and to a small one with --quick', () => {
    expect(parse([])).toMatchObject({ quick: false, complaints: 2000, concurrency: 32, startConcurrency: 32 });
    expect(parse([])).toMatchObject({ scale: 10_000, due: 3000, cohorts: 3, cohortGapSeconds: 30, replay: 500 });
    expect(parse(['--quick'])).toMatchObject({ complaints: 300, scale: 1000, due: 500, cohorts: 2, readSeconds: 5 });
    expect(parse([], { BENCH_QUICK: '1' })).toMatchObject({ quick: true, complaints: 300 });
  });

  it('take values from the command line, then from BENCH_* variables', () => {
    const options = parse(['--complaints', '50', '--concurrency=8', '--skip', 'read, replay', '--keep'], {
      BENCH_COMPLAINTS: '999',
      BENCH_SCALE: '20',
    });
    expect(options).toMatchObject({ complaints: 50, concurrency: 8, startConcurrency: 8, scale: 20, keep: true });
    expect([...(options?.skip ?? [])]).toEqual(['read', 'replay']);
    expect(options?.warmup).toBe(32);
  });

  it('--help gives no options (the entry point prints the help)', () => {
    expect(parse(['--help'])).toBeUndefined();
  });

  it('say in one line which option is wrong', () => {
    const message = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
      try {
        parse(argv, env);
        return 'accepted';
      } catch (err) {
        return (err as Error).message;
      }
    };
    expect(message(['--complaints', 'many'])).toBe(
      'Invalid option: --complaints must be a non-negative integer (got "many")',
    );
    expect(message(['--concurrency', '0'])).toBe(
      'Invalid option: --concurrency must be an integer of 1 or more (got "0")',
    );
    expect(message([], { BENCH_SCALE: '-5' })).toBe(
      'Invalid option: --scale must be a non-negative integer (got "-5")',
    );
    expect(message(['--skip', 'lifecycle,warmup'])).toBe(
      'Invalid option: --skip must list phases among lifecycle, open-loop, read, scale, replay, codec (got "lifecycle,warmup")',
    );
    expect(message(['--fast'])).toBe('Invalid option: --fast is not an option (npm run bench -- --help lists them)');
    expect(message(['--due'])).toMatch(/^Invalid option: Option '--due <value>' argument missing/);
  });
});
