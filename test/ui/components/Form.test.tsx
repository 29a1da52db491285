import { Text } from 'ink';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { Form, pastedLine } from '../../../src/ui/components/Form.tsx';
import { keys, renderSized } from '../../helpers/ink.ts';
import { sleep, waitForFrame } from '../support.tsx';

function Harness({ onSubmit }: { onSubmit: (values: Record<string, string>) => void }) {
  const [values, setValues] = useState<Record<string, string>>({ name: '', kind: 'a', note: '' });
  const [done, setDone] = useState(false);
  if (done) return <Text>{`submitted ${JSON.stringify(values)}`}</Text>;
  return (
    <Form
      fields={[
        { id: 'name', label: 'Name' },
        {
          id: 'kind',
          label: 'Kind',
          options: [
            { value: 'a', label: 'Alpha' },
            { value: 'b', label: 'Beta' },
          ],
        },
        { id: 'note', label: 'Note', placeholder: '(optional)' },
      ]}
      values={values}
      onChange={(id, value) => setValues((v) => ({ ...v, [id]: value }))}
      errors={{ name: values.name === '' ? 'give it a name' : undefined }}
      submitLabel="Finish"
      onCancel={() => {}}
      onSubmit={() => {
        if (values.name === '') return;
        onSubmit(values);
        setDone(true);
      }}
    />
  );
}

describe('Form', () => {
  it('keeps the focus on a field with a complaint, and cycles choices with ←→', async () => {
    const submitted: Record<string, string>[] = [];
    const screen = await renderSized(<Harness onSubmit={(v) => submitted.push(v)} />, 60, 8);
    expect(screen.frame()).not.toContain('give it a name');
    await screen.press(keys.enter);
    expect(screen.frame()).toContain('! give it a name');
    expect(screen.frame()).toMatch(/^> Name/m);
    await screen.press('Case 9');
    await screen.press(keys.enter);
    expect(screen.frame()).toMatch(/^> Kind\s+‹ Alpha ›/m);
    await screen.press('\u001B[C');
    expect(screen.frame()).toContain('‹ Beta ›');
    await screen.press(keys.enter);
    await screen.press(keys.enter);
    expect(submitted).toEqual([{ name: 'Case 9', kind: 'b', note: '' }]);
    screen.instance.unmount();
  });

  it('takes a whole burst of keys in one chunk as an operator would type them', async () => {
    const submitted: Record<string, string>[] = [];
    const screen = await renderSized(<Harness onSubmit={(v) => submitted.push(v)} />, 60, 8);
    // Text, Enter, Enter (choice), text, Enter: arriving before any render in between.
    screen.stdin.write('Door 4\r\rred jacket\r');
    await waitForFrame(screen.frame, 'submitted');
    expect(submitted).toEqual([{ name: 'Door 4', kind: 'a', note: 'red jacket' }]);
    screen.instance.unmount();
  });

  it('does not lose keys that come one by one faster than renders', async () => {
    const submitted: Record<string, string>[] = [];
    const screen = await renderSized(<Harness onSubmit={(v) => submitted.push(v)} />, 60, 8);
    for (const key of ['D', 'o', 'o', 'r', '\r', '\r', 'n', 'b', '\r']) screen.stdin.write(key);
    await sleep(10);
    await waitForFrame(screen.frame, 'submitted');
    expect(submitted).toEqual([{ name: 'Door', kind: 'a', note: 'nb' }]);
    screen.instance.unmount();
  });

  it('takes a paste whole as text: its line breaks never submit', async () => {
    const submitted: Record<string, string>[] = [];
    const screen = await renderSized(<Harness onSubmit={(v) => submitted.push(v)} />, 60, 8);
    // Bracketed paste is on while the form is open, so the terminal marks what is pasted.
    expect(screen.stdout.modes).toEqual(['\u001b[?2004h']);
    screen.stdin.write('\u001b[200~Door 4\r\nfront desk\r\n\u001b[201~');
    await waitForFrame(screen.frame, '> Name         Door 4; front desk▏');
    expect(submitted).toEqual([]);
    screen.instance.unmount();
    expect(screen.stdout.modes.at(-1)).toBe('\u001b[?2004l');
  });

  it('makes pasted lines one line of items', () => {
    expect(pastedLine('Mon-Fri 08:00-18:00 2M\n Sat,Sun off \r\n\n')).toBe(
      'Mon-Fri 08:00-18:00 2M; Sat,Sun off',
    );
    expect(pastedLine('a\tb\u0007c')).toBe('a b c');
  });
});
