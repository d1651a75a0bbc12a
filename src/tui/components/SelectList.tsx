// A list to pick from with the arrows, Page Up/Down, Home/End and Enter; long lists scroll.
import { Box, Text } from 'ink';
import { useKeys } from '../hooks/use-keys.js';
import { useRef } from 'react';
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
  // Keys can come faster than redraws (a held arrow key): each moves from the latest position.
  const latest = useRef(selected);
  latest.current = selected;
  const move = (index: number) => {
    latest.current = index;
    onMove(index);
  };
  useKeys(
    (_input, key) => {
      if (items.length === 0) return;
      const at = latest.current;
      if (key.upArrow) move(Math.max(0, at - 1));
      else if (key.downArrow) move(Math.min(last, at + 1));
      else if (key.pageUp) move(Math.max(0, at - height));
      else if (key.pageDown) move(Math.min(last, at + height));
      else if (key.home) move(0);
      else if (key.end) move(last);
      else if (key.return) onSelect?.(at);
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
