// Before a restore runs: where it goes, the options, then every check of the plan marked OK
// or failing, and a typed confirmation when the choice would replace existing objects.
import { Box, Text } from 'ink';
import { useKeys } from '../hooks/use-keys.js';
import { useState } from 'react';
import type { FlagValue } from '../../cli/create-context.js';
import { useCommand } from '../hooks/use-command.js';
import type { JobRequest } from '../job-runner.js';
import { requestOf, useSession } from '../session.js';
import { useTone } from '../theme.js';
import { KeyHints } from './KeyHints.js';
import { OutcomeError } from './OutcomeError.js';
import { TextInput } from './TextInput.js';

/** Props of {@link RestorePreview}. */
export interface RestorePreviewProps {
  /** `single`: one backup file; `cluster`: a set directory. */
  kind: 'single' | 'cluster';
  /** The backup file or set directory. */
  path: string;
  /** The database the backup holds (single), the default target. */
  database?: string;
  /** The engine that made the backup; the restore uses it whatever engine the session is on. */
  engine?: string;
  onRun: (request: JobRequest, title: string) => void;
  onBack: () => void;
  width: number;
}

interface Options {
  engine?: string;
  target: string;
  create: boolean;
  clean: boolean;
  noOwner: boolean;
}

interface Check {
  name: string;
  ok: boolean;
  detail: string;
  warning?: string;
}

/** The preview: options first, then the plan and its checks, then the confirmation. */
export function RestorePreview(props: RestorePreviewProps) {
  const { kind, path, database = '', engine, onRun, onBack, width } = props;
  const [options, setOptions] = useState<Options>({
    engine,
    target: database,
    create: true,
    clean: false,
    noOwner: false,
  });
  const [planned, setPlanned] = useState<Options>();
  return planned === undefined ? (
    <OptionsForm
      kind={kind}
      path={path}
      options={options}
      onChange={setOptions}
      onNext={() => setPlanned(options)}
      onBack={onBack}
      width={width}
    />
  ) : (
    <PlanView
      kind={kind}
      path={path}
      options={planned}
      onRun={onRun}
      onBack={() => setPlanned(undefined)}
      width={width}
    />
  );
}

/** The flags of the restore for these options; `confirm` makes it run instead of planning. */
export function restoreFlags(kind: 'single' | 'cluster', o: Options, confirm: boolean) {
  const flags: Record<string, FlagValue> = {};
  if (o.engine !== undefined) flags['db-type'] = o.engine;
  if (kind === 'single') {
    flags.target = o.target;
    flags.create = o.create;
    flags.clean = o.clean;
    flags['no-owner'] = o.noOwner;
  } else flags['clean-cluster'] = o.clean;
  if (confirm) flags.confirm = true;
  return flags;
}

interface FormProps {
  kind: 'single' | 'cluster';
  path: string;
  options: Options;
  onChange: (options: Options) => void;
  onNext: () => void;
  onBack: () => void;
  width: number;
}

function OptionsForm({ kind, path, options, onChange, onNext, onBack, width }: FormProps) {
  const tone = useTone();
  const fields =
    kind === 'single' ? (['target', 'create', 'clean', 'noOwner'] as const) : (['clean'] as const);
  const [focus, setFocus] = useState(0);
  const field = fields[focus] ?? 'clean';

  useKeys((input, key) => {
    if (key.escape) onBack();
    else if (key.tab || key.downArrow) setFocus((f) => (f + 1) % fields.length);
    else if (key.upArrow) setFocus((f) => (f + fields.length - 1) % fields.length);
    else if (key.return) onNext();
    else if (input === ' ' && field !== 'target')
      onChange({ ...options, [field]: !options[field] });
  });

  const box = (on: boolean) => (on ? '[x]' : '[ ]');
  const mark = (name: string) => (field === name ? '›' : ' ');
  const cleanText =
    kind === 'single'
      ? '--clean: replace the objects of the target that the backup holds'
      : '--clean-cluster: drop the databases of the set that exist on the server first';
  return (
    <Box flexDirection="column" width={width}>
      <Text bold>{kind === 'single' ? 'Restore one database' : 'Restore a whole server'}</Text>
      <Text wrap="truncate-middle">{`from ${path}`}</Text>
      {kind === 'single' ? (
        <>
          <Text>
            {`${mark('target')} into database: `}
            <TextInput
              value={options.target}
              onChange={(target) => onChange({ ...options, target })}
              isActive={field === 'target'}
            />
          </Text>
          <Text>{`${mark('create')} ${box(options.create)} --create: create it when it does not exist`}</Text>
          <Text wrap="wrap">{`${mark('clean')} ${box(options.clean)} ${cleanText}`}</Text>
          <Text wrap="wrap">{`${mark('noOwner')} ${box(options.noOwner)} --no-owner: objects owned by you, without the backup's grants`}</Text>
        </>
      ) : (
        <Text wrap="wrap">{`${mark('clean')} ${box(options.clean)} ${cleanText}`}</Text>
      )}
      <Text color={tone('dim')}>Nothing changes until you confirm after the checks.</Text>
      <KeyHints
        hints={[
          ['Tab/↑↓', 'field'],
          ['Space', 'toggle'],
          ['Enter', 'run the checks'],
          ['Esc', 'back'],
        ]}
      />
    </Box>
  );
}

interface PlanProps {
  kind: 'single' | 'cluster';
  path: string;
  options: Options;
  onRun: (request: JobRequest, title: string) => void;
  onBack: () => void;
  width: number;
}

function PlanView({ kind, path, options, onRun, onBack, width }: PlanProps) {
  const session = useSession();
  const tone = useTone();
  const command = kind === 'single' ? 'restore single' : 'restore cluster';
  const { outcome } = useCommand(
    requestOf(session, command, [path], restoreFlags(kind, options, false)),
  );
  const [typed, setTyped] = useState('');

  const plan = outcome?.data?.plan as
    { actions?: string[]; checks?: Check[]; target?: string; targetState?: string } | undefined;
  const checks = plan?.checks ?? [];
  const isReady = outcome?.status === 'ok' && checks.every((c) => c.ok);
  const isDestructive =
    kind === 'single' ? options.clean && plan?.targetState === 'has-objects' : options.clean;
  const word = kind === 'single' ? options.target : 'restore';
  const start = () =>
    onRun(
      requestOf(session, command, [path], restoreFlags(kind, options, true)),
      kind === 'single' ? `Restore into '${options.target}'` : 'Restore the whole server',
    );

  useKeys(
    (_input, key) => {
      if (key.escape) onBack();
      else if (key.return && isReady && !isDestructive) start();
    },
    { isActive: !(isReady && isDestructive) },
  );

  return (
    <Box flexDirection="column" width={width}>
      <Text bold>{`Restore preview · ${command}`}</Text>
      <Text wrap="truncate-middle">{`from ${path}`}</Text>
      {outcome === undefined ? (
        <Text color={tone('dim')}>
          running the checks (reading the whole file for its checksum)…
        </Text>
      ) : null}
      {plan === undefined && outcome !== undefined && outcome.status !== 'ok' ? (
        <OutcomeError outcome={outcome} />
      ) : null}
      {plan === undefined ? null : (
        <>
          <Text bold>will:</Text>
          {(plan.actions ?? []).map((action, i) => (
            <Text key={i} wrap="wrap">{`  ${action}`}</Text>
          ))}
          <Text bold>checks:</Text>
          {checks.map((check) => (
            <Box key={check.name} flexDirection="column">
              <Text wrap="wrap">
                <Text color={tone(check.ok ? 'good' : 'bad')}>
                  {check.ok ? '[ OK ]' : '[FAIL]'}
                </Text>
                {` ${check.name}: ${check.detail}`}
              </Text>
              {check.warning === undefined ? null : (
                <Text color={tone('warn')} wrap="wrap">{`       warning: ${check.warning}`}</Text>
              )}
            </Box>
          ))}
        </>
      )}
      {outcome !== undefined && !isReady ? (
        <Text color={tone('bad')} wrap="wrap">
          A check failed: the restore would not run. Esc goes back to change the options.
        </Text>
      ) : null}
      {isReady && isDestructive ? (
        <Box flexDirection="column">
          <Text color={tone('warn')} bold wrap="wrap">
            {kind === 'single'
              ? `This replaces objects in '${options.target}'. Type the database name to confirm:`
              : 'This drops databases on the server first. Type "restore" to confirm:'}
          </Text>
          <TextInput
            value={typed}
            onChange={setTyped}
            onSubmit={(value) => {
              if (value === word) start();
            }}
            onCancel={onBack}
          />
        </Box>
      ) : null}
      <KeyHints
        hints={
          isReady && !isDestructive
            ? [
                ['Enter', 'restore now'],
                ['Esc', 'back'],
              ]
            : isReady
              ? [
                  ['Enter', 'confirm when the name matches'],
                  ['Esc', 'back'],
                ]
              : [['Esc', 'back']]
        }
      />
    </Box>
  );
}
