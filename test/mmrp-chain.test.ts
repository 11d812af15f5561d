/**
 * The chain ablation's draw path (gatherMmrp): after the reply, the picture comes from
 * `pictureFor(reply)` with pictures allowed in the reply; without it, the reply is text only and the
 * picture comes from `draw(user turn)`, which never sees the reply. A stub session records the calls.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { gatherMmrp } from '../src/eval/suite/mmrp';
import type { PolicySession } from '../src/eval/suite/session';
import type { Exchange } from '../src/eval/suite/items';

function stubSession() {
  const calls: string[] = [];
  const session = {
    policy: { sharedContext: true },
    async reply(user: unknown[], opts: { allowImage: boolean }) {
      calls.push(`reply allowImage=${opts.allowImage}`);
      return { text: 'I am at the beach.', ids: [], imageCodes: null, prompt: new Int32Array([1, 2]) };
    },
    async pictureFor(r: { text: string }) {
      calls.push(`pictureFor "${r.text}"`);
      return new Uint8Array([1]);
    },
    async draw(user: { text?: string }[], n: number) {
      calls.push(`draw "${user.map((u) => u.text).join('|')}" n=${n}`);
      return [new Uint8Array([2])];
    },
  };
  return { session: session as unknown as PolicySession, calls };
}

const items = [{ kind: 'image', sceneIndex: 0, user: ['Where are you?'], reference: {} } as unknown as Exchange];

test('chain: the picture is drawn for the reply; without it, from the user turn alone', async () => {
  const chained = stubSession();
  const a = await gatherMmrp(chained.session, items, {} as never);
  assert.deepEqual(chained.calls, ['reply allowImage=true', 'pictureFor "I am at the beach."']);
  assert.deepEqual([...a[0].drawing], [1]);
  const cut = stubSession();
  const b = await gatherMmrp(cut.session, items, {} as never, false);
  assert.deepEqual(cut.calls, ['reply allowImage=false', 'draw "Where are you?" n=1']);
  assert.deepEqual([...b[0].drawing], [2]);
  assert.equal(b[0].reply, 'I am at the beach.');
});
