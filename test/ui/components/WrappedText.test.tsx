import { Box } from 'ink';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { dropWrapSpace, WrappedText } from '../../../src/ui/components/WrappedText.tsx';

describe('WrappedText', () => {
  it('starts a wrapped line at the left edge when the line before filled the width', () => {
    // "aaaa bbbbb" is exactly 10 columns: Ink alone draws the next line as " cc dd".
    const { lastFrame } = render(
      <Box width={10}>
        <WrappedText>aaaa bbbbb cc dd</WrappedText>
      </Box>,
    );
    expect(lastFrame()).toBe('aaaa bbbbb\ncc dd');
  });

  it('keeps a first line as written and colour codes in front of the dropped space', () => {
    expect(dropWrapSpace(' first', 0)).toBe(' first');
    expect(dropWrapSpace('\u001b[31m next', 1)).toBe('\u001b[31mnext');
    expect(dropWrapSpace('next', 2)).toBe('next');
  });
});
