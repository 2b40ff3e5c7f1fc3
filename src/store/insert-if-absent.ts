/**
 * Update pipeline for an upsert that inserts `doc` (with its own `_id`, so the events stored
 * in the same write can name it) only when the filter matched nothing, and leaves an existing
 * document untouched. Every stored document has a `createdAt` (a Date, so truthy); only the
 * upsert seed lacks it.
 * `$literal` keeps string values such as "$5 off" from being read as field paths.
 */
export const insertIfAbsent = (doc: Record<string, unknown>) => [
  {
    $replaceWith: {
      $cond: ['$createdAt', '$$ROOT', { $mergeObjects: ['$$ROOT', { $literal: doc }] }],
    },
  },
];
