import { Box, Text, useInput } from 'ink';
import { useState } from 'react';
import { formatBytes } from '../../core/format.ts';
import type { EngineApi } from '../../engine/api.ts';
import type { EngineState } from '../../protocol/engine-state.ts';
import { Form } from '../components/Form.tsx';
import { WrappedText } from '../components/WrappedText.tsx';
import { errorText } from '../text.ts';
import { useTheme } from '../theme.ts';
import { CaseChoiceStep, type ChosenCase } from './CaseChoice.tsx';

type Camera = EngineState['cameras'][number];

type Step =
  | { kind: 'details' }
  | { kind: 'case' }
  | { kind: 'finish' }
  | { kind: 'running' }
  | { kind: 'done'; text: string }
  | { kind: 'refused'; text: string };

/** Why a snapshot from this camera would be refused before asking the engine, or null. */
export function snapshotRefusal(state: EngineState, camera: Camera): string | null {
  const { operator } = state;
  if (!operator.privileges.includes('export')) {
    return `snapshots need the export privilege; ${operator.name} (${operator.role}) does not have it — ask an admin to grant it (users[].privileges in the config)`;
  }
  if (camera.state !== 'recording') {
    return `${camera.name} is not recording (${camera.state}${camera.reason ? `: ${camera.reason}` : ''}) — a snapshot needs the camera online and recording; try again when it records`;
  }
  return null;
}

/**
 * The snapshot wizard as operators know it: name, optional description → Next → existing case
 * / new case / skip → Finish → queued as an upload job.
 */
export function SnapshotWizard({
  state,
  api,
  camera,
  active,
  height,
  onClose,
}: {
  state: EngineState;
  api: EngineApi;
  camera: Camera;
  active: boolean;
  height: number;
  onClose: () => void;
}) {
  const theme = useTheme();
  const [step, setStep] = useState<Step>({ kind: 'details' });
  const [values, setValues] = useState({ name: '', description: '' });
  const [chosen, setChosen] = useState<ChosenCase | null>(null);
  const refusal = snapshotRefusal(state, camera);

  const finish = async () => {
    if (refusal) return setStep({ kind: 'refused', text: refusal });
    setStep({ kind: 'running' });
    try {
      const result = await api.run('snapshot.export', {
        cameraId: camera.id,
        name: values.name.trim(),
        description: values.description.trim(),
        caseChoice: chosen?.choice ?? 'none',
      });
      setStep({
        kind: 'done',
        text: result.jobId
          ? `Queued: "${values.name.trim()}" (${result.width}x${result.height}, ${formatBytes(result.bytes)}) as upload ${result.jobId} into ${chosen?.label ?? 'no case'}.`
          : `Saved: ${result.path} (${result.width}x${result.height}, ${formatBytes(result.bytes)}); not uploaded.`,
      });
    } catch (err) {
      setStep({ kind: 'refused', text: errorText(err) });
    }
  };

  useInput(
    (input, key) => {
      if (step.kind === 'finish') {
        if (key.return) void finish();
        else if (key.escape) setStep({ kind: 'case' });
      } else if (step.kind === 'done') {
        if (key.return || key.escape) onClose();
      } else if (step.kind === 'refused') {
        if (key.escape) onClose();
        else if (key.return || input === 'b') setStep({ kind: 'finish' });
      }
    },
    { isActive: active && ['finish', 'done', 'refused'].includes(step.kind) },
  );

  const stepNo = step.kind === 'details' ? 1 : step.kind === 'case' ? 2 : 3;
  return (
    <Box flexDirection="column" height={height}>
      <Text bold wrap="truncate">
        {`Snapshot from ${camera.name} (${camera.id}) — step ${stepNo} of 3`}
      </Text>
      {refusal && step.kind !== 'refused' ? (
        <WrappedText color={theme.error}>{`Cannot take it now: ${refusal}`}</WrappedText>
      ) : null}
      {step.kind === 'details' ? (
        <Form
          fields={[
            { id: 'name', label: 'Name' },
            { id: 'description', label: 'Description', placeholder: '(optional)' },
          ]}
          values={values}
          onChange={(id, value) => setValues((v) => ({ ...v, [id]: value }))}
          errors={{ name: values.name.trim() === '' ? 'give the snapshot a name' : undefined }}
          submitLabel="Next"
          isActive={active}
          onCancel={onClose}
          onSubmit={() => {
            if (values.name.trim() !== '') setStep({ kind: 'case' });
          }}
        />
      ) : null}
      {step.kind === 'case' ? (
        <CaseChoiceStep
          api={api}
          active={active}
          height={height - 2}
          onBack={() => setStep({ kind: 'details' })}
          onDone={(c) => {
            setChosen(c);
            setStep({ kind: 'finish' });
          }}
        />
      ) : null}
      {step.kind === 'finish' || step.kind === 'running' ? (
        <Box flexDirection="column">
          <Text wrap="truncate">{`Name         ${values.name.trim()}`}</Text>
          <Text wrap="truncate">{`Description  ${values.description.trim() || '—'}`}</Text>
          <Text wrap="truncate">{`Case         ${chosen?.label ?? 'no case'}`}</Text>
          <Text bold>
            {step.kind === 'running' ? 'Taking the snapshot…' : 'Enter Finish · Esc back'}
          </Text>
        </Box>
      ) : null}
      {step.kind === 'done' ? (
        <Box flexDirection="column">
          <WrappedText color={theme.ok}>{step.text}</WrappedText>
          <Text color={theme.muted}>Enter or Esc closes</Text>
        </Box>
      ) : null}
      {step.kind === 'refused' ? (
        <Box flexDirection="column">
          <WrappedText color={theme.error}>{`Refused: ${step.text}`}</WrappedText>
          <Text color={theme.muted}>Enter back to Finish · Esc closes</Text>
        </Box>
      ) : null}
    </Box>
  );
}
