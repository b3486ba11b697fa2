import { Button, CopyButton, Group, Text, Tooltip } from '@mantine/core';

/** A value with a copy button; the button's name says what it copies. */
export function CopyField({ label, value, secret = false }: { label: string; value: string; secret?: boolean }) {
  return (
    <div>
      <Text size="xs" c="dimmed" fw={600} tt="uppercase">
        {label}
      </Text>
      <Group gap="xs" wrap="nowrap" align="center">
        <Text ff="monospace" size="sm" style={{ wordBreak: 'break-all' }} data-testid={`value-${label.toLowerCase().replace(/\W+/g, '-')}`} c={secret ? 'red.8' : undefined}>
          {value}
        </Text>
        <CopyButton value={value} timeout={1500}>
          {({ copied, copy }) => (
            <Tooltip label={copied ? 'Copied' : `Copy ${label.toLowerCase()}`} withArrow>
              <Button size="compact-xs" variant={copied ? 'filled' : 'light'} color={copied ? 'teal' : 'blue'} onClick={copy} aria-label={`Copy ${label.toLowerCase()}`}>
                {copied ? 'Copied' : 'Copy'}
              </Button>
            </Tooltip>
          )}
        </CopyButton>
      </Group>
    </div>
  );
}

