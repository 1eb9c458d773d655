/** Language detection for rooms without a declared language (issue 14). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { detectLanguage } from '../../../lib/detect-language.ts';

describe('detectLanguage', () => {
  for (const [text, language] of [
    ['Willkommen in diesem Raum, hier können alle ihre Fragen stellen', 'de'],
    ['Bienvenue dans ce salon, vous pouvez poser vos questions ici', 'fr'],
    ['Sala de la comunidad de Python en español para todos', 'es'],
    ['Welcome to the Rust community room, ask anything you like', 'en'],
    ['Добро пожаловать в русское сообщество любителей Linux', 'ru'],
    ['日本語の部屋へようこそ、質問や雑談をどうぞ', 'ja'],
  ] as const) {
    it(`finds ${language} in "${text.slice(0, 30)}…"`, () => {
      const got = detectLanguage(text);
      assert.equal(got.language, language);
      assert.ok(got.confidence > 0 && got.confidence <= 1);
    });
  }

  it('does not guess on a short name', () => {
    assert.deepEqual(detectLanguage('Rust Community'), { language: '', confidence: 0 });
    assert.deepEqual(detectLanguage('Linux'), { language: '', confidence: 0 });
    assert.deepEqual(detectLanguage(''), { language: '', confidence: 0 });
  });
});
