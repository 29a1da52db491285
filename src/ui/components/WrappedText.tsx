import { Text, type TextProps, Transform } from 'ink';

// Colour codes a line may open with, before its first character.
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences
const wrapSpace = /^((?:\u001b\[[0-9;]*m)*) /;

/**
 * Drops the space a wrapped line starts with. Ink wraps with `trim: false`, so the space at a
 * break opens the next line whenever the line before filled the width exactly ("…o adds files
 * \n by path."). Our texts carry no indentation of their own after a line break.
 */
export const dropWrapSpace = (line: string, index: number): string =>
  index === 0 ? line : line.replace(wrapSpace, '$1');

/** Text wrapped at the box's width, each continuation line starting at its left edge. */
export function WrappedText(props: Omit<TextProps, 'wrap'>) {
  return (
    <Transform transform={dropWrapSpace}>
      <Text {...props} wrap="wrap" />
    </Transform>
  );
}
