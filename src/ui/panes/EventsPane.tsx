import { Box, Text, useInput } from 'ink';
import { useMemo, useState } from 'react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import { type EventViewFilter, filterEvents } from '../../core/event-filter.ts';
import type { EngineApi } from '../../engine/api.ts';
import { type CustodyEvent, type EventLevel, eventLevels } from '../../protocol/events.ts';
import { type LogSearch, useLogSearch } from '../components/use-log-search.ts';
import type { ConsoleState } from '../state/console-store.ts';
import { clip } from '../text.ts';
import { useTheme } from '../theme.ts';

type Props = {
  store: StoreApi<ConsoleState>;
  /** A committed search asks the engine: the store holds only the newest events. */
  api: EngineApi;
  height: number;
  /** False while the help overlay or the quit question has the keys. */
  active?: boolean;
  /** Narrow screens shorten long subjects (upload ids) to leave room for the message. */
  width?: number;
  /** Tells the App that typed keys belong to the search line, not to the tab keys. */
  onCapture: (capturing: boolean) => void;
};

function levelLabel(level: EventLevel): string {
  return level.toUpperCase().padEnd(5);
}

/** Kind groups present in the window: the part before the first dot (`upload`, `request`…). */
export function kindGroups(events: CustodyEvent[]): string[] {
  return [...new Set(events.map((event) => event.kind.split('.')[0] ?? event.kind))].sort();
}

/** `5138d5b3…` for a long id on a narrow screen; whole otherwise (details show it whole). */
export function shortSubject(subject: string | null, width: number): string {
  if (subject === null) return '-';
  return width < 120 && subject.length > 12 ? `${subject.slice(0, 8)}…` : subject;
}

/** `37 matches in the whole log`, `500+ matches in the whole log, newest shown`, … */
function searchStatus(found: LogSearch): string {
  if (found.error) return `search failed: ${found.error}`;
  if (found.loading && found.matches.length === 0) return 'searching the whole log…';
  const n = found.events.length;
  const count = n === 0 ? 'no matches' : `${n}${found.more ? '+' : ''} match${n === 1 ? '' : 'es'}`;
  return `${count} in the whole log${found.more ? ', newest shown' : ''}${found.loading ? ', loading older…' : ''}`;
}

export function EventsPane({ store, api, height, onCapture, active = true, width = 200 }: Props) {
  const theme = useTheme();
  const events = useStore(store, (s) => s.events);
  const [minLevel, setMinLevel] = useState<EventLevel>('debug');
  const [search, setSearch] = useState('');
  const [typing, setTyping] = useState<string | null>(null);
  const [follow, setFollow] = useState(true);
  const [cursor, setCursor] = useState(0);
  const [details, setDetails] = useState(false);
  const [kind, setKind] = useState<string | null>(null);

  // While typing, the held window filters as the text grows; Enter searches the whole log.
  const committed = useMemo<EventViewFilter | null>(
    () => (typing === null && search !== '' ? { minLevel, search, kind } : null),
    [typing, minLevel, search, kind],
  );
  const found = useLogSearch(api, committed, events);
  const held = useMemo(
    () => filterEvents(events, { minLevel, search: typing ?? '', kind }),
    [events, minLevel, typing, kind],
  );
  const shown = found ? found.events : held;
  const selected = follow ? shown.length - 1 : Math.min(cursor, shown.length - 1);

  useInput(
    (input, key) => {
      if (typing !== null) {
        if (key.return || key.escape) {
          if (key.return) {
            setSearch(typing);
            setFollow(true);
          }
          setTyping(null);
          onCapture(false);
        } else if (key.backspace || key.delete) {
          setTyping((t) => (t ?? '').slice(0, -1));
        } else if (input && !key.ctrl && !key.meta) {
          setTyping((t) => (t ?? '') + input);
        }
        return;
      }
      if (input === '/') {
        setTyping(search);
        onCapture(true);
      } else if (input === 'f') {
        setFollow(!follow);
        setCursor(selected);
      } else if (input === 't') {
        const groups = kindGroups(events);
        setKind((current) => {
          const at = current === null ? -1 : groups.indexOf(current);
          return at + 1 < groups.length ? (groups[at + 1] ?? null) : null;
        });
      } else if (input === 'l') {
        setMinLevel(
          (level) => eventLevels[(eventLevels.indexOf(level) + 1) % eventLevels.length] ?? level,
        );
      } else if (key.return) {
        setDetails(!details);
      } else if (key.escape) {
        setDetails(false);
        setSearch('');
        setKind(null);
        setFollow(true);
      } else if (key.upArrow || input === 'k') {
        setFollow(false);
        setCursor(Math.max(0, selected - 1));
        // Up from the oldest match shown fetches the page before it, landing just above.
        if (selected === 0 && found?.more) {
          void found.older().then((added) => setCursor((at) => at + Math.max(0, added - 1)));
        }
      } else if (key.downArrow || input === 'j') {
        setFollow(false);
        setCursor(Math.min(shown.length - 1, selected + 1));
      }
    },
    { isActive: active },
  );

  const current: CustodyEvent | undefined = shown[selected];
  const detailLines =
    details && current
      ? [
          ...(current.subject ? [`subject ${current.subject}`] : []),
          ...JSON.stringify(current.data, null, 1).split('\n'),
        ]
      : [];
  const detailHeight =
    details && current ? Math.min(detailLines.length + 2, Math.floor(height / 2)) : 0;
  const headerHeight = found ? 2 : 1;
  const listHeight = Math.max(1, height - headerHeight - detailHeight);
  const first = Math.max(0, Math.min(selected - listHeight + 1, shown.length - listHeight));
  const visible = shown.slice(Math.max(0, first), Math.max(0, first) + listHeight);

  const filters = `level ≥ ${minLevel} · kind ${kind ?? 'all'} · ${follow ? 'following' : 'paused'}`;
  const status = found ? searchStatus(found) : '';
  return (
    <Box flexDirection="column" height={height}>
      {found ? (
        <>
          <Text wrap="truncate">
            {`search: ${clip(search, Math.max(12, width - 11 - status.length))} — ${status}`}
          </Text>
          <Text wrap="truncate">
            {`${filters}${found.more ? ' · ↑ at top: older' : ''} · Esc: live`}
          </Text>
        </>
      ) : (
        <Text wrap="truncate">
          {`${shown.length}/${events.length} events · ${filters}`}
          {typing !== null ? ` · search: ${typing}▏` : ''}
        </Text>
      )}
      {visible.length === 0 && !found?.loading ? (
        <Text color={theme.muted}>No events match.</Text>
      ) : null}
      {visible.map((event) => {
        const isSelected = event.seq === current?.seq;
        const levelColor =
          event.level === 'error' ? theme.error : event.level === 'warn' ? theme.warn : undefined;
        return (
          <Text key={event.seq} wrap="truncate" inverse={isSelected}>
            {isSelected ? '>' : ' '}
            {event.time.slice(11, 19)} <Text color={levelColor}>{levelLabel(event.level)}</Text>{' '}
            {event.kind} {shortSubject(event.subject, width)} {event.message}
          </Text>
        );
      })}
      {details && current ? (
        <Box flexDirection="column" borderStyle="single" paddingX={1} height={detailHeight}>
          <Text wrap="truncate">
            #{current.seq} {current.time} {current.kind} hash {current.hash.slice(0, 16)}…
          </Text>
          {detailLines.slice(0, detailHeight - 3).map((line, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: lines of one JSON document have no identity
            <Text key={i} wrap="truncate">
              {line}
            </Text>
          ))}
        </Box>
      ) : null}
    </Box>
  );
}
