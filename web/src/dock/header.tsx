// The slim header of the handheld and station screens: where the device is, and whether it reaches the server.
import type { ComponentChildren } from 'preact';

export function HandheldHeader(props: { where: ComponentChildren; online: boolean; note?: string }) {
  return (
    <header class="hh-header">
      <span class="hh-where">{props.where}</span>
      <span class={`hh-conn${props.online ? '' : ' offline'}`} role="status" data-testid="connection">
        {props.online ? '● online' : '○ offline'}
        {props.note ? ` · ${props.note}` : ''}
      </span>
    </header>
  );
}
