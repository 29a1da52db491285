import { afterEach, describe, expect, it } from 'vitest';
import type { ChosenCase } from '../../../src/ui/wizards/CaseChoice.tsx';
import { CaseChoiceStep, parseInfo } from '../../../src/ui/wizards/CaseChoice.tsx';
import { openTestEngine } from '../../helpers/engine.ts';
import { keys, renderSized, type Screen } from '../../helpers/ink.ts';
import { recordingApi, sleep, type, waitForFrame } from '../support.tsx';

describe('parseInfo', () => {
  it('reads key=value pairs and names a bad piece', () => {
    expect(parseInfo('')).toEqual({ ok: true, info: {} });
    expect(parseInfo('ref=A-12; officer = Moss')).toEqual({
      ok: true,
      info: { ref: 'A-12', officer: 'Moss' },
    });
    expect(parseInfo('ref=A-12; oops')).toEqual({
      ok: false,
      message: 'write key=value, found "oops"',
    });
  });
});

describe('CaseChoiceStep', () => {
  let test: Awaited<ReturnType<typeof openTestEngine>> | undefined;
  let screen: Screen | undefined;
  afterEach(async () => {
    screen?.instance.unmount();
    await test?.close();
  });

  async function mount() {
    test = await openTestEngine({ cameras: [] });
    const engine = test.engine;
    const deadline = Date.now() + 10_000;
    while (engine.state().connection.state !== 'ready' && Date.now() < deadline) await sleep(50);
    const { api, calls } = recordingApi(engine);
    const chosen: ChosenCase[] = [];
    let back = 0;
    screen = await renderSized(
      <CaseChoiceStep
        api={api}
        active
        height={18}
        onDone={(c) => chosen.push(c)}
        onBack={() => {
          back++;
        }}
      />,
      80,
      18,
    );
    return { screen, calls, chosen, engine, back: () => back };
  }

  it('searches the existing cases as you type and picks one', async () => {
    const first = await mount();
    // Two cases on the service, opened the way the wizard opens them.
    const file = `${test?.dir}/note.txt`;
    (await import('node:fs')).writeFileSync(file, 'x');
    await first.engine.run('bandwidth.set', { bytesPerSecond: 0 });
    await first.engine.run('uploads.add', {
      paths: [file],
      caseChoice: { newCase: 'Harbour theft' },
    });
    await first.engine.run('uploads.add', {
      paths: [file],
      caseChoice: { newCase: 'Lobby assault' },
    });
    first.screen.instance.unmount();
    const { screen, chosen, calls } = await remount(first);
    await screen.press(keys.enter);
    await waitForFrame(screen.frame, /Select existing case · search: ▏ · 2 of 2/);
    await type(screen, 'lob');
    const frame = await waitForFrame(screen.frame, '1 of 2');
    expect(frame).toMatch(/> \S+\s+Lobby assault/);
    expect(frame).not.toContain('Harbour theft');
    await screen.press(keys.enter);
    expect(chosen).toHaveLength(1);
    expect(chosen[0]?.choice).toMatchObject({ id: expect.any(String) });
    expect(chosen[0]?.label).toMatch(/^case \S+ "Lobby assault"$/);
    expect(calls.filter((c) => c.command === 'cases.list')).toHaveLength(1);
  });

  it('skips, and goes back with Esc', async () => {
    const { screen, chosen, back } = await mount();
    await screen.press(keys.down);
    await screen.press(keys.down);
    await screen.press(keys.enter);
    expect(chosen).toEqual([{ choice: 'none', label: 'no case' }]);
    await screen.press(keys.escape);
    expect(back()).toBe(1);
  });

  async function remount(previous: Awaited<ReturnType<typeof mount>>) {
    const { api, calls } = recordingApi(previous.engine);
    const chosen: ChosenCase[] = [];
    screen = await renderSized(
      <CaseChoiceStep
        api={api}
        active
        height={18}
        onDone={(c) => chosen.push(c)}
        onBack={() => {}}
      />,
      80,
      18,
    );
    return { screen, chosen, calls };
  }
});
