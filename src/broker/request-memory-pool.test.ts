import { describe, expect, it } from 'vitest';
import { RequestMemoryPool, type Reservation } from './request-memory-pool.js';

describe('RequestMemoryPool', () => {
  const waiter = (size: number, log: number[]): Reservation => ({ size, granted: () => log.push(size) });

  it('grants while anything is left, then queues first come first served and grants as bytes come back', () => {
    const pool = new RequestMemoryPool(100);
    const granted: number[] = [];
    expect(pool.reserve(waiter(60, granted))).toBe(true);
    expect(pool.reserve(waiter(60, granted))).toBe(true); // 60 < 100 left something: admitted, pool at 120
    expect(pool.reserve(waiter(10, granted))).toBe(false);
    expect(pool.reserve(waiter(50, granted))).toBe(false);
    expect([pool.reserved, pool.waiters]).toEqual([120, 2]);
    pool.release(60); // 60 used: room, so the first waiter (10) gets in, then the next (50) too
    expect(granted).toEqual([10, 50]);
    expect([pool.reserved, pool.waiters]).toEqual([120, 0]);
  });

  it('does not let a newcomer overtake a waiting connection', () => {
    const pool = new RequestMemoryPool(100);
    const granted: number[] = [];
    pool.reserve(waiter(100, granted));
    expect(pool.reserve(waiter(30, granted))).toBe(false);
    pool.release(1); // room for the waiter only
    expect(granted).toEqual([30]);
    expect(pool.reserve(waiter(5, granted))).toBe(false); // 129 ≥ 100: waits
  });

  it('drops a cancelled waiter and is unbounded at -1', () => {
    const pool = new RequestMemoryPool(10);
    const granted: number[] = [];
    pool.reserve(waiter(10, granted));
    const w = waiter(5, granted);
    pool.reserve(w);
    expect(pool.cancel(w)).toBe(true);
    expect(pool.cancel(w)).toBe(false);
    pool.release(10);
    expect(granted).toEqual([]);
    expect(pool.reserved).toBe(0);
    const open = new RequestMemoryPool(-1);
    for (let i = 0; i < 5; i++) expect(open.reserve(waiter(1 << 30, granted))).toBe(true);
  });
});
