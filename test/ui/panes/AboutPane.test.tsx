import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AboutPane } from '../../../src/ui/panes/AboutPane.tsx';
import { openTestEngine } from '../../helpers/engine.ts';
import { renderSized } from '../../helpers/ink.ts';
import { expectFits } from '../support.tsx';

describe('AboutPane', () => {
  let test: Awaited<ReturnType<typeof openTestEngine>>;
  beforeAll(async () => {
    test = await openTestEngine({ cameras: [], docks: [], syncFolders: [] });
  });
  afterAll(async () => {
    await test?.close();
  });

  it('names the version, the engine, the service, ffmpeg and every path the engine writes', async () => {
    const state = test.engine.state();
    const screen = await renderSized(<AboutPane state={state} />, 200, 20);
    const frame = screen.frame();
    expect(frame).toMatch(/Custody\s+\d+\.\d+\.\d+/);
    expect(frame).toMatch(/Engine\s+in this process, running since \d{4}-\d\d-\d\d \d\d:\d\d/);
    expect(frame).toMatch(/Service\s+(http:\/\/127\.0\.0\.1:\d+|none) · /);
    expect(frame).toMatch(state.ffmpeg.ok ? /ffmpeg\s+\S+ \(/ : /ffmpeg\s+missing — /);
    expect(frame).toContain(`Data        ${state.dataDir}`);
    expect(frame).toContain(`Log file    ${test.dir}/data/logs/custody.log`);
    expect(frame).toContain(`Archive     ${test.dir}/data/archive`);
    expect(frame).toContain(`Buffer      ${test.dir}/data/buffer (encrypted)`);
    screen.instance.unmount();
  });

  it('fits 80 columns, cutting long paths rather than wrapping', async () => {
    const screen = await renderSized(
      <AboutPane state={test.engine.state()} attachedTo="http://127.0.0.1:8741" />,
      80,
      20,
    );
    expect(expectFits(screen.frame(), 80, 20)).toEqual([]);
    expect(screen.frame()).toContain('Engine      attached at http://127.0.0.1:8741');
    screen.instance.unmount();
  });
});
