import { describe, expect, it } from 'vitest';
import { initialTheme, otherTheme, withAlpha } from '../src/app/theme.js';

describe('theme', () => {
  it('uses the remembered choice, else the system preference', () => {
    expect(initialTheme('light', true)).toBe('light');
    expect(initialTheme('dark', false)).toBe('dark');
    expect(initialTheme(null, true)).toBe('dark');
    expect(initialTheme('purple', false)).toBe('light');
    expect(otherTheme('dark')).toBe('light');
  });

  it('writes a colour with alpha', () => {
    expect(withAlpha('#26a69a', 0.5)).toBe('rgba(38, 166, 154, 0.5)');
  });
});
