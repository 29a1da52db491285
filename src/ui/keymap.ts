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

/**
 * The tab bar already shows the digits, so the bottom line keeps its room for the pane's keys;
 * help and quit come first so that a narrow terminal still shows them.
 */
export function bottomLineKeys(tab: TabId): KeyHint[] {
  return [...globalKeys.filter((hint) => hint.keys !== '1-6'), ...paneKeys[tab]];
}

/** While a form or a dialog has the keys. */
export const modalKeys: KeyHint[] = [
  { keys: 'Enter', does: 'next/confirm' },
  { keys: 'Tab', does: 'field' },
  { keys: 'Esc', does: 'back' },
];

/** Settings › Sync folders, the list of folders. */
export const syncFolderKeys: KeyHint[] = [
  { keys: '↑↓', does: 'select' },
  { keys: 'Space', does: 'on/off' },
  { keys: 'a', does: 'add' },
  { keys: 'd', does: 'delete' },
  { keys: 'Esc', does: 'back' },
];

/** A y/n question. */
export const confirmKeys: KeyHint[] = [
  { keys: 'y', does: 'yes' },
  { keys: 'n/Esc', does: 'no' },
];

export const paneKeys: Record<TabId, KeyHint[]> = {
  inbox: [
    { keys: '↑↓', does: 'select' },
    { keys: 'Enter', does: 'details' },
    { keys: 'a', does: 'approve' },
    { keys: 'd', does: 'deny' },
    { keys: '/', does: 'filter' },
  ],
  cameras: [
    { keys: '←↑↓→', does: 'select' },
    { keys: 'Enter', does: 'snapshot' },
    { keys: 'c', does: 'clip' },
  ],
  uploads: [
    { keys: 'Tab', does: 'view' },
    { keys: 'p', does: 'pause/resume' },
    { keys: 'r', does: 'retry' },
    { keys: 'x', does: 'cancel' },
    { keys: 'f', does: 'front' },
    { keys: '+-0', does: 'cap' },
    { keys: 's', does: 'schedule' },
    { keys: 'c', does: 'concurrency' },
    { keys: 'o', does: 'select files (browse or type paths)' },
    { keys: '/', does: 'filter' },
  ],
  events: [
    { keys: '↑↓', does: 'move' },
    { keys: 'Enter', does: 'details' },
    { keys: '/', does: 'search' },
    { keys: 'l', does: 'level' },
    { keys: 't', does: 'kind' },
    { keys: 'f', does: 'follow' },
  ],
  settings: [
    { keys: '↑↓', does: 'select' },
    { keys: 'Enter', does: 'edit' },
  ],
  about: [],
};

export function tabForKey(input: string): TabId | undefined {
  return tabs.find((tab) => tab.key === input)?.id;
}
