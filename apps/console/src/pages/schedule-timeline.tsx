import { Box, Text, Tooltip } from '@mantine/core';
import { useMemo } from 'react';
import { formatDay } from '../ui/format.util';
import { timelineOfDay, type TimelineEvent } from '../ui/timeline.util';

const TRACK_HEIGHT = 40;

/**
 * One day of a schedule as a timeline: per agent, a row of blocks across the day in the site's
 * time zone. A plain CSS grid (agent names, then the day's track); each block is a focusable list
 * item whose name says the activity and its local times, with the same in a tooltip.
 */
export function ScheduleTimeline({ events, day, timeZone }: { events: readonly TimelineEvent[]; day: string; timeZone: string }) {
  const timeline = useMemo(() => timelineOfDay(events, day, timeZone), [events, day, timeZone]);
  const title = `Timeline of ${formatDay(day)}, times in ${timeZone}`;
  if (timeline.rows.length === 0) return <Text c="dimmed">No events on {formatDay(day)}.</Text>;
  return (
    <Box component="section" aria-label={title} style={{ overflowX: 'auto' }}>
      <Box style={{ display: 'grid', gridTemplateColumns: 'minmax(7rem, 12rem) minmax(640px, 1fr)', rowGap: 4, columnGap: 8, alignItems: 'center' }}>
        <Text size="xs" c="dimmed" fw={600}>
          Agent
        </Text>
        <Box pos="relative" h={20} aria-hidden="true" data-testid="timeline-axis">
          {timeline.ticks.map((tick, index) =>
            index % 2 === 0 ? (
              <Text key={`${tick.leftPct}`} size="xs" c="dimmed" ff="monospace" pos="absolute" style={{ left: `${tick.leftPct}%`, transform: 'translateX(-2px)' }}>
                {tick.label}
              </Text>
            ) : null,
          )}
        </Box>
        {timeline.rows.map((row) => (
          <TimelineRow key={row.agentId} row={row} ticks={timeline.ticks} />
        ))}
      </Box>
      <Text size="xs" c="dimmed" mt={4}>
        {timeline.hours === 24 ? '' : `This day has ${timeline.hours} hours (daylight saving). `}Times in {timeZone}.
      </Text>
    </Box>
  );
}

function TimelineRow({ row, ticks }: { row: ReturnType<typeof timelineOfDay>['rows'][number]; ticks: ReturnType<typeof timelineOfDay>['ticks'] }) {
  return (
    <>
      <Text size="sm" fw={500} truncate id={`timeline-agent-${row.agentId}`}>
        {row.agentName}
      </Text>
      <Box
        component="ul"
        aria-labelledby={`timeline-agent-${row.agentId}`}
        pos="relative"
        h={TRACK_HEIGHT}
        m={0}
        p={0}
        style={{
          listStyle: 'none',
          borderRadius: 4,
          background: 'var(--mantine-color-gray-0)',
          border: '1px solid var(--mantine-color-gray-3)',
          backgroundImage: ticks
            .slice(1)
            .map((tick) => `linear-gradient(to right, transparent calc(${tick.leftPct}% - 0.5px), var(--mantine-color-gray-3) calc(${tick.leftPct}% - 0.5px), var(--mantine-color-gray-3) calc(${tick.leftPct}% + 0.5px), transparent calc(${tick.leftPct}% + 0.5px))`)
            .join(','),
        }}
      >
        {row.blocks.map((block) => {
          const label = `${block.type}, ${block.continuesBefore ? 'from the day before, ' : ''}${block.start} to ${block.end}${block.continuesAfter ? ' the next day' : ''}`;
          // Event types carry a hex colour (or none: the theme's indigo).
          const fill = block.color ? `${block.color}33` : 'var(--mantine-color-indigo-light)';
          const edge = block.color ?? 'var(--mantine-color-indigo-filled)';
          return (
            <Tooltip key={block.id} label={label} events={{ hover: true, focus: true, touch: true }} withArrow>
              <Box
                component="li"
                tabIndex={0}
                aria-label={label}
                data-testid={`timeline-block-${block.id}`}
                pos="absolute"
                top={3}
                bottom={3}
                style={{
                  left: `${block.leftPct}%`,
                  width: `${block.widthPct}%`,
                  minWidth: 3,
                  overflow: 'hidden',
                  whiteSpace: 'nowrap',
                  borderRadius: 3,
                  padding: '0 4px',
                  background: fill,
                  borderLeft: `3px solid ${edge}`,
                  fontSize: 11,
                  lineHeight: `${TRACK_HEIGHT - 8}px`,
                }}
              >
                {block.type} {block.start}–{block.end}
              </Box>
            </Tooltip>
          );
        })}
      </Box>
    </>
  );
}
