// The composer's saved-reply list ("/" at the start of a reply), in English, Brazilian Portuguese and Spanish.
import { addStrings } from '../i18n.js';

addStrings({
  en: {
    'saved.list': 'Saved replies',
    'saved.count': '{count} saved replies. Use the arrow keys and Enter to choose, Escape to close.',
    'saved.none': 'No saved reply starts with /{prefix}.',
    'saved.chosen': 'Saved reply /{shortcut} inserted.',
    'saved.hint': 'Type / for saved replies.',
  },
  pt: {
    'saved.list': 'Respostas prontas',
    'saved.count': '{count} respostas prontas. Use as setas e Enter para escolher, Esc para fechar.',
    'saved.none': 'Nenhuma resposta pronta começa com /{prefix}.',
    'saved.chosen': 'Resposta pronta /{shortcut} inserida.',
    'saved.hint': 'Digite / para as respostas prontas.',
  },
  es: {
    'saved.list': 'Respuestas guardadas',
    'saved.count': '{count} respuestas guardadas. Use las flechas y Enter para elegir, Escape para cerrar.',
    'saved.none': 'Ninguna respuesta guardada empieza con /{prefix}.',
    'saved.chosen': 'Respuesta guardada /{shortcut} insertada.',
    'saved.hint': 'Escriba / para las respuestas guardadas.',
  },
});
