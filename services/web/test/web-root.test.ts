import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { webRoot } from '../src/index.js';

describe('webRoot', () => {
  it('is the absolute path of the built UI: index.html, app.js and styles.css', () => {
    expect(path.isAbsolute(webRoot)).toBe(true);
    for (const f of ['index.html', 'app.js', 'styles.css']) expect(fs.existsSync(path.join(webRoot, f)), f).toBe(true);
    expect(fs.readFileSync(path.join(webRoot, 'index.html'), 'utf8')).toContain('src="app.js"');
  });
});
