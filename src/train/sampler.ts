/**
 * Batches by task: each step draws a task by its weight, then a batch of that task's examples.
 * One task per batch keeps padding small (a knowledge answer is ~30 tokens, a drawing 66+), and a
 * step's batch depends only on (seed, step), so a resumed run sees the same data as an unbroken one.
 */
import { Rng } from '../util/rng';
import type { EncodedExample } from './encode';
import type { Task } from './tasks';

export class TaskSampler {
  private readonly tasks: Task[];
  private readonly cumulative: number[];

  constructor(
    private readonly byTask: Partial<Record<Task, EncodedExample[]>>,
    weights: Partial<Record<Task, number>>,
    private readonly seed: number,
    /** Mixed batches: `count` examples of `task` in every batch, the rest drawn per example by weight. */
    private readonly mandatory?: { task: Task; count: number },
  ) {
    this.tasks = (Object.keys(weights) as Task[]).filter((t) => (weights[t] ?? 0) > 0 && (byTask[t]?.length ?? 0) > 0);
    if (this.tasks.length === 0) throw new Error('TaskSampler: no task has both a positive weight and examples');
    let acc = 0;
    const total = this.tasks.reduce((a, t) => a + (weights[t] ?? 0), 0);
    this.cumulative = this.tasks.map((t) => (acc += (weights[t] ?? 0) / total));
  }

  /** The batch of step `step`: [task, examples] ('mixed' when the sampler mixes tasks). */
  batch(step: number, batchSize: number): [Task | 'mixed', EncodedExample[]] {
    const rng = new Rng(this.seed * 1_000_003 + step);
    const pick = (task: Task) => this.byTask[task]![Math.floor(rng.next() * this.byTask[task]!.length)];
    const m = this.mandatory;
    if (m && (this.byTask[m.task]?.length ?? 0) > 0) {
      const fixed = Array.from({ length: m.count }, () => pick(m.task));
      return ['mixed', [...fixed, ...Array.from({ length: batchSize - m.count }, () => pick(this.drawTask(rng)))]];
    }
    const task = this.drawTask(rng);
    return [task, Array.from({ length: batchSize }, () => pick(task))];
  }

  private drawTask(rng: Rng): Task {
    const u = rng.next();
    return this.tasks[Math.max(0, this.cumulative.findIndex((c) => u < c))] ?? this.tasks[this.tasks.length - 1];
  }

  get activeTasks(): readonly Task[] {
    return this.tasks;
  }
}
