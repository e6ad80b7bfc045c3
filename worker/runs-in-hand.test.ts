import { describe, expect, it } from 'vitest';
import { RunsInHand } from '@/worker/runs-in-hand';

/** A run the test ends by hand, which tells when it claimed. */
function controlledRun() {
  let claim!: () => void;
  let end!: () => void;
  const ended = new Promise<void>((resolve) => (end = resolve));
  const advance = async (claimed: () => void) => {
    claim = claimed;
    await ended;
  };
  return { advance, claim: () => claim(), end: () => end() };
}

const settled = async (promise: Promise<unknown>) => {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
};

describe('RunsInHand', () => {
  it('lets go of the job at the claim while the run goes on', async () => {
    const hand = new RunsInHand(2);
    const run = controlledRun();
    const taken = hand.take(run.advance);
    expect(await settled(taken)).toBe(false);
    run.claim();
    expect(await settled(taken)).toBe(true);
    expect(hand.size).toBe(1);
    run.end();
    await hand.drain(1_000);
    expect(hand.size).toBe(0);
  });

  it('holds a job that finds every slot taken until a run ends, then starts it', async () => {
    const hand = new RunsInHand(1);
    const first = controlledRun();
    const second = controlledRun();
    const firstTaken = hand.take(first.advance);
    first.claim();
    await firstTaken;
    const secondTaken = hand.take(second.advance);
    expect(await settled(secondTaken)).toBe(false);
    expect(hand.size).toBe(1);
    first.end();
    await new Promise((resolve) => setImmediate(resolve));
    second.claim();
    expect(await settled(secondTaken)).toBe(true);
    second.end();
    expect(await hand.drain(1_000)).toBe(0);
  });

  it('counts a run that ends without claiming (someone else holds it) as decided', async () => {
    const hand = new RunsInHand(1);
    await hand.take(async () => undefined);
    expect(hand.size).toBe(0);
  });

  it('drain gives up after its timeout and says how many runs are still in hand', async () => {
    const hand = new RunsInHand(2);
    const stuck = controlledRun();
    const taken = hand.take(stuck.advance);
    stuck.claim();
    await taken;
    expect(await hand.drain(20)).toBe(1);
    stuck.end();
  });
});

describe('RunsInHand.close', () => {
  it('refuses waiting and later jobs (the worker hands them back) and lets the runs in hand go on', async () => {
    const hand = new RunsInHand(1);
    const held = controlledRun();
    const heldTaken = hand.take(held.advance);
    held.claim();
    expect(await heldTaken).toBe(true);
    let started = false;
    const waiting = hand.take(async () => {
      started = true;
    });
    hand.close();
    expect(await waiting).toBe(false);
    expect(await hand.take(async () => undefined)).toBe(false);
    expect(started).toBe(false);
    expect(hand.size).toBe(1);
    held.end();
    expect(await hand.drain(1_000)).toBe(0);
  });
});
