import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { SettingsPane } from '../../../src/ui/panes/SettingsPane.tsx';
import { openTestEngine } from '../../helpers/engine.ts';

describe('SettingsPane', () => {
  let test: Awaited<ReturnType<typeof openTestEngine>> | undefined;
  afterEach(async () => {
    await test?.close();
  });

  it('shows the settings to an admin', async () => {
    test = await openTestEngine();
    const ui = render(<SettingsPane state={test.engine.state()} />);
    expect(ui.lastFrame()).toContain('Concurrency  4');
    expect(ui.lastFrame()).toContain('Mon-Fri 08:00-18:00 8M; * unlimited');
  });

  it('tells a viewer why it is locked', async () => {
    test = await openTestEngine({ operator: 'guest' });
    const ui = render(<SettingsPane state={test.engine.state()} />);
    expect(ui.lastFrame()).toContain('Settings are locked');
    expect(ui.lastFrame()).toContain('guest is viewer');
  });
});
