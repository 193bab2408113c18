import { PauseBudget } from '../../../src/ml/model/pause';

describe('PauseBudget', () => {
  it('never lets a job wait longer in all than it has computed, nor longer than the cap at once', () => {
    let now = 1000;
    const budget = new PauseBudget(100, () => now);
    budget.start();
    expect(budget.allowance()).toBe(0); // nothing computed yet
    now += 30; // 30 ms of work
    expect(budget.allowance()).toBe(30);
    budget.waited(30);
    now += 30;
    expect(budget.allowance()).toBe(0); // 30 computed, 30 waited
    now += 500; // a long stretch of work
    expect(budget.allowance()).toBe(100); // capped per wait
    // A flood of asks: wait whenever allowed, work 10 ms between points. Waits never pass the work.
    let waited = 30;
    for (let i = 0; i < 1000; i++) {
      const w = budget.allowance();
      now += w;
      budget.waited(w);
      waited += w;
      now += 10;
    }
    const computed = now - 1000 - waited;
    expect(waited).toBeLessThanOrEqual(computed);
    expect(waited).toBeGreaterThan(0.9 * computed);
  });

  it('starts each job afresh', () => {
    let now = 0;
    const budget = new PauseBudget(100, () => now);
    budget.start();
    now += 50;
    budget.waited(budget.allowance());
    budget.start();
    expect(budget.allowance()).toBe(0);
  });
});
