import { Button, Text, Tooltip, VisuallyHidden, type ButtonProps } from '@mantine/core';
import { useId, type ComponentPropsWithoutRef, type MouseEvent } from 'react';
import type { Permission } from '../api/api.types';
import { usePermission } from '../session/permissions';

type PermittedButtonProps = ButtonProps & Omit<ComponentPropsWithoutRef<'button'>, keyof ButtonProps> & { permission: Permission };

/**
 * A button for an action only some roles may take. When the signed-in token may not, the button
 * stays in place but does nothing: it is aria-disabled (still focusable, so keyboard and screen
 * reader users meet it), says why in a tooltip on hover and focus, and carries the same reason as
 * its accessible description.
 */
export function PermittedButton({ permission, onClick, disabled, ...props }: PermittedButtonProps) {
  const { allowed, reason } = usePermission(permission);
  const id = useId();
  if (allowed) return <Button {...props} disabled={disabled} onClick={onClick} />;
  // The reason sits beside the button, not inside it: inside, it would join the button's name.
  return (
    <>
      <Tooltip label={reason} events={{ hover: true, focus: true, touch: true }} multiline maw={280} withArrow>
        <Button
          {...props}
          data-disabled
          aria-disabled="true"
          aria-describedby={id}
          loading={false}
          type="button"
          onClick={(event: MouseEvent<HTMLButtonElement>) => event.preventDefault()}
        />
      </Tooltip>
      <VisuallyHidden id={id}>{reason}</VisuallyHidden>
    </>
  );
}

/** The reason a form control is off for this token, as its description (null when allowed). */
export function PermissionNote({ permission }: { permission: Permission }) {
  const { allowed, reason } = usePermission(permission);
  if (allowed) return null;
  return (
    <Text size="xs" c="dimmed">
      {reason}
    </Text>
  );
}
