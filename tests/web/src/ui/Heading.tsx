import { useEffect, useRef, type ReactNode } from "react";

/** A screen's title; it takes the focus when the screen appears, so keyboard and screen-reader users start there. */
export function Heading({ children }: { children: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}
