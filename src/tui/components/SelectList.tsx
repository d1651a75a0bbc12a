// A list to pick from with the arrows, Page Up/Down, Home/End and Enter; long lists scroll.
import { Box, Text, useInput } from 'ink';
import { useTone } from '../theme.js';
import { fit } from '../format.js';

/** One row: its text, and an optional dimmed note after it. */
export interface SelectItem {
  key: string;
  label: string;
  note?: string;
}

/** Props of {@link SelectList}. */
export interface SelectListProps {
  items: readonly SelectItem[];
  selected: number;
  onMove: (index: number) => void;
  onSelect?: (index: number) => void;
  /** Rows shown at most; the selection stays in view. */
  height: number;
  width: number;
  isActive?: boolean;
}

/** The list; the selected row is marked with '›' and shown inverse. */
export function SelectList(props: SelectListProps) {
  const { items, selected, onMove, onSelect, height, width, isActive = true } = props;
  const tone = useTone();
  const last = items.length - 1;
  useInput(
    (_input, key) => {
      if (items.length === 0) return;
      if (key.upArrow) onMove(Math.max(0, selected - 1));
      else if (key.downArrow) onMove(Math.min(last, selected + 1));
      else if (key.pageUp) onMove(Math.max(0, selected - height));
      else if (key.pageDown) onMove(Math.min(last, selected + height));
      else if (key.home) onMove(0);
      else if (key.end) onMove(last);
      else if (key.return) onSelect?.(selected);
    },
    { isActive },
  );

  const rows = Math.max(1, height);
  const first = Math.min(
    Math.max(0, selected - Math.floor(rows / 2)),
    Math.max(0, items.length - rows),
  );
  const shown = items.slice(first, first + rows);
  return (
    <Box flexDirection="column">
      {shown.map((item, i) => {
        const isSelected = first + i === selected;
        const label = fit(`${isSelected ? '›' : ' '} ${item.label}`, width);
        const room = width - label.length - 2;
        const note = item.note === undefined || room < 4 ? '' : fit(item.note, room);
        return (
          <Text key={item.key} wrap="truncate">
            <Text inverse={isSelected}>{label}</Text>
            {note === '' ? null : <Text color={tone('dim')}>{`  ${note}`}</Text>}
          </Text>
        );
      })}
      {items.length > rows ? (
        <Text color={tone('dim')}>{`  ${selected + 1}/${items.length}`}</Text>
      ) : null}
    </Box>
  );
}
