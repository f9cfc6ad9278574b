import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './markdown.ts';

describe('renderMarkdown (creator page)', () => {
  it('renders headings, paragraphs, lists, emphasis and links', () => {
    const html = renderMarkdown(
      '# Goal\nShow the **glow**, _morning_ light.\n\n- one\n- two\n\n1. first\n[Guide](https://brand.example/guide)',
    );
    expect(html).toContain('<h3>Goal</h3>');
    expect(html).toContain('<p>Show the <strong>glow</strong>, <em>morning</em> light.</p>');
    expect(html).toContain('<ul>\n<li>one</li>\n<li>two</li>\n</ul>');
    expect(html).toContain('<ol>\n<li>first</li>\n</ol>');
    expect(html).toContain('<a href="https://brand.example/guide" rel="noopener noreferrer" target="_blank">Guide</a>');
  });
  it('lets no markup or script through', () => {
    const html = renderMarkdown('<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>');
    expect(html).not.toMatch(/<script|<img|href="javascript/);
    expect(html).toContain('&lt;script&gt;');
  });
});
