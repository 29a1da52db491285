/** Tabs and their keys: one table drives the tab bar, the bottom line and the help overlay. */
export const tabs = [
  { key: '1', id: 'inbox', title: 'Inbox' },
  { key: '2', id: 'cameras', title: 'Cameras' },
  { key: '3', id: 'uploads', title: 'Uploads' },
  { key: '4', id: 'events', title: 'Events' },
  { key: '5', id: 'settings', title: 'Settings' },
  { key: '6', id: 'about', title: 'About' },
] as const;

export type TabId = (typeof tabs)[number]['id'];

export type KeyHint = { keys: string; does: string };

export const globalKeys: KeyHint[] = [
  { keys: '1-6', does: 'tabs' },
  { keys: '?', does: 'help' },
  { keys: 'q', does: 'quit' },
];

/** The tab bar already shows the digits, so the bottom line keeps its room for the pane's keys. */
export function bottomLineKeys(tab: TabId): KeyHint[] {
  return [...paneKeys[tab], ...globalKeys.filter((hint) => hint.keys !== '1-6')];
}

export const paneKeys: Record<TabId, KeyHint[]> = {
  inbox: [],
  cameras: [{ keys: '↑↓', does: 'select' }],
  uploads: [],
  events: [
    { keys: '↑↓', does: 'move' },
    { keys: 'Enter', does: 'details' },
    { keys: '/', does: 'search' },
    { keys: 'l', does: 'level' },
    { keys: 'f', does: 'follow' },
  ],
  settings: [],
  about: [],
};

export function tabForKey(input: string): TabId | undefined {
  return tabs.find((tab) => tab.key === input)?.id;
}
