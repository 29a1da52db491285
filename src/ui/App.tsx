import { Box, useApp, useInput, useWindowSize } from 'ink';
import { useState } from 'react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import { HelpOverlay } from './components/HelpOverlay.tsx';
import { KeyHints } from './components/KeyHints.tsx';
import { StatusBar } from './components/StatusBar.tsx';
import { TabBar } from './components/TabBar.tsx';
import { bottomLineKeys, type TabId, tabForKey } from './keymap.ts';
import { AboutPane } from './panes/AboutPane.tsx';
import { CamerasPane } from './panes/CamerasPane.tsx';
import { EventsPane } from './panes/EventsPane.tsx';
import { InboxPane } from './panes/InboxPane.tsx';
import { SettingsPane } from './panes/SettingsPane.tsx';
import { UploadsPane } from './panes/UploadsPane.tsx';
import type { ConsoleState } from './state/console-store.ts';

/** Status bar, tab bar and key line take one row each. */
const chromeRows = 3;

export function App({
  store,
  initialTab = 'inbox',
}: {
  store: StoreApi<ConsoleState>;
  initialTab?: TabId;
}) {
  const { exit } = useApp();
  const { columns, rows } = useWindowSize();
  const state = useStore(store, (s) => s.engine);
  const [tab, setTab] = useState<TabId>(initialTab);
  const [help, setHelp] = useState(false);
  // While a pane's text field has the keys, digits and q are text, not commands.
  const [capturing, setCapturing] = useState(false);

  useInput(
    (input, key) => {
      if (help) {
        if (key.escape || input === '?') setHelp(false);
        return;
      }
      if (input === '?') setHelp(true);
      else if (input === 'q') exit();
      else {
        const next = tabForKey(input);
        if (next) setTab(next);
      }
    },
    { isActive: !capturing },
  );

  const paneHeight = Math.max(1, rows - chromeRows);
  const pane = (() => {
    switch (tab) {
      case 'inbox':
        return <InboxPane state={state} />;
      case 'cameras':
        return <CamerasPane state={state} />;
      case 'uploads':
        return <UploadsPane state={state} />;
      case 'events':
        return <EventsPane store={store} height={paneHeight} onCapture={setCapturing} />;
      case 'settings':
        return <SettingsPane state={state} />;
      case 'about':
        return <AboutPane state={state} />;
    }
  })();

  return (
    <Box flexDirection="column" width={columns} height={rows}>
      <StatusBar state={state} />
      <TabBar active={tab} />
      <Box flexDirection="column" height={paneHeight} overflow="hidden">
        {help ? <HelpOverlay /> : pane}
      </Box>
      <KeyHints hints={bottomLineKeys(tab)} />
    </Box>
  );
}
