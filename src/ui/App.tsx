import { Box, Text, useApp, useInput, useWindowSize } from 'ink';
import { useCallback, useRef, useState } from 'react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import { formatCount } from '../core/format.ts';
import type { EngineApi } from '../engine/api.ts';
import type { EngineState } from '../protocol/engine-state.ts';
import { HelpOverlay } from './components/HelpOverlay.tsx';
import { KeyHints } from './components/KeyHints.tsx';
import { StatusBar, statusFigures } from './components/StatusBar.tsx';
import { TabBar } from './components/TabBar.tsx';
import { WrappedText } from './components/WrappedText.tsx';
import { bottomLineKeys, type KeyHint, modalKeys, type TabId, tabForKey } from './keymap.ts';
import { AboutPane } from './panes/AboutPane.tsx';
import { CamerasPane } from './panes/CamerasPane.tsx';
import { EventsPane } from './panes/EventsPane.tsx';
import { InboxPane } from './panes/InboxPane.tsx';
import type { PaneProps } from './panes/pane.ts';
import { SettingsPane } from './panes/SettingsPane.tsx';
import { UploadsPane } from './panes/UploadsPane.tsx';
import type { ConsoleState } from './state/console-store.ts';
import { useTheme } from './theme.ts';

/** Status bar, tab bar and key line take one row each. */
const chromeRows = 3;

/** The smallest terminal every pane is laid out for. */
export const minColumns = 80;
export const minRows = 24;

/** Work that quitting would interrupt (or, attached, leave running unseen). */
export function workInFlight(state: EngineState): string[] {
  const { running, queued } = statusFigures(state);
  const exporting = (state.requests ?? []).filter((r) =>
    ['exporting', 'approved', 'delivering'].includes(r.state),
  ).length;
  const work: string[] = [];
  if (running > 0) work.push(`${formatCount(running, 'upload')} running`);
  if (queued > 0) work.push(`${queued} queued`);
  if (exporting > 0) work.push(formatCount(exporting, 'request export'));
  return work;
}

export function App({
  store,
  api,
  initialTab = 'inbox',
  attachedTo,
}: {
  store: StoreApi<ConsoleState>;
  api: EngineApi;
  initialTab?: TabId;
  /** Set when attached to an engine that runs on without this console. */
  attachedTo?: string;
}) {
  const theme = useTheme();
  const { exit } = useApp();
  const { columns, rows } = useWindowSize();
  const state = useStore(store, (s) => s.engine);
  const [tab, setTab] = useState<TabId>(initialTab);
  const [help, setHelp] = useState(false);
  const [quitting, setQuitting] = useState<string[] | null>(null);
  // While a pane's form has the keys, digits and q are text, not commands; the bottom line
  // lists the keys that work there instead.
  const [capturing, setCapturing] = useState<KeyHint[] | null>(null);
  // Read by the key handler: a key right behind the one that ended a form (Enter, then q) comes
  // before React has drawn the change, and was taken as typed text.
  const capturingNow = useRef(false);
  const onCapture = useCallback((on: boolean, keys: KeyHint[] = modalKeys) => {
    capturingNow.current = on;
    setCapturing(on ? keys : null);
  }, []);

  const tooSmall = columns < minColumns || rows < minRows;

  useInput(
    (input, key) => {
      if (quitting) {
        if (input === 'y' || input === 'Y') exit();
        else if (input === 'n' || input === 'N' || key.escape) setQuitting(null);
        return;
      }
      const quit = () => {
        // Attached, quitting stops nothing: the engine goes on with the work.
        const work = attachedTo ? [] : workInFlight(store.getState().engine);
        if (work.length === 0) exit();
        else setQuitting(work);
      };
      // Too small to see what a key would do, even to a form on screen before: only q.
      if (tooSmall) {
        if (input === 'q') quit();
        return;
      }
      if (help) {
        if (key.escape || input === '?') setHelp(false);
        return;
      }
      if (capturingNow.current) return;
      if (input === '?') setHelp(true);
      else if (input === 'q') quit();
      else {
        const next = tabForKey(input);
        if (next) setTab(next);
      }
    },
    { isActive: true },
  );

  const paneHeight = Math.max(1, rows - chromeRows);
  const props: PaneProps = {
    state,
    api,
    width: columns,
    height: paneHeight,
    active: !help && !quitting && !tooSmall,
    onCapture,
  };
  const pane = (() => {
    switch (tab) {
      case 'inbox':
        return <InboxPane {...props} />;
      case 'cameras':
        return <CamerasPane {...props} />;
      case 'uploads':
        return <UploadsPane {...props} />;
      case 'events':
        return <EventsPane {...props} store={store} />;
      case 'settings':
        return <SettingsPane {...props} />;
      case 'about':
        return <AboutPane state={state} attachedTo={attachedTo} />;
    }
  })();

  const quitLine = quitting
    ? `Quit? y/n — ${quitting.join(', ')} (they go on when the engine starts again)`
    : null;
  return (
    <Box flexDirection="column" width={columns} height={rows}>
      {tooSmall ? (
        <Box flexDirection="column">
          <WrappedText bold color={theme.warn}>
            {`This terminal is ${columns}x${rows}; the console needs at least ${minColumns}x${minRows}. Enlarge it to go on, or press q to quit.`}
          </WrappedText>
          {quitLine ? <WrappedText>{quitLine}</WrappedText> : null}
        </Box>
      ) : null}
      {/* Hidden, not unmounted, while too small: a wizard half filled in is there once it grows. */}
      <Box
        display={tooSmall ? 'none' : 'flex'}
        flexDirection="column"
        width={columns}
        height={rows}
      >
        <StatusBar state={state} columns={columns} />
        <TabBar active={tab} />
        <Box flexDirection="column" height={paneHeight} overflow="hidden">
          {help ? <HelpOverlay /> : null}
          {/* Hidden, not unmounted, under the help: an open wizard keeps what was typed. */}
          <Box display={help ? 'none' : 'flex'} flexDirection="column" height={paneHeight}>
            {pane}
          </Box>
        </Box>
        {quitLine ? (
          <Box width="100%">
            <Text wrap="truncate" bold color={theme.warn}>
              {quitLine}
            </Text>
          </Box>
        ) : (
          <KeyHints hints={capturing ?? bottomLineKeys(tab)} width={columns} />
        )}
      </Box>
    </Box>
  );
}
