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

  it('fits 80 columns, wrapping a long path under its value so all of it can be read', async () => {
    const state = test.engine.state();
    const logFile = `/srv/custody/${'evidence-station-'.repeat(6)}logs/custody.log`;
    const screen = await renderSized(
      <AboutPane
        state={{ ...state, paths: { ...state.paths, logFile } }}
        attachedTo="http://127.0.0.1:8741"
      />,
      80,
      20,
    );
    const frame = screen.frame();
    expect(expectFits(frame, 80, 20)).toEqual([]);
    expect(frame).toContain('Engine      attached at http://127.0.0.1:8741');
    const lines = frame.split('\n');
    const at = lines.findIndex((line) => line.startsWith('Log file    '));
    expect(lines[at]).toHaveLength(80);
    expect(lines[at + 1]).toMatch(/^ {12}\S/);
    expect(`${lines[at]?.slice(12)}${lines[at + 1]?.slice(12).trimEnd()}`).toBe(logFile);
    screen.instance.unmount();
  });
});
