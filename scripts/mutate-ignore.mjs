// A Stryker ignorer for `npm run mutate`: the human-readable message of an
// error is not a security property (callers narrow on `code`, never on the
// text), so mutating it only adds mutants that no test should notice. The
// error code (and the status of the server's ApiError) is still mutated.
// Stryker loads this file in its own processes, so it is plain JavaScript.

/** Errors whose first argument is a code and whose second is the message. */
const CODED = new Set(['SealboxError', 'CliError', 'CourierError', 'unauthorised']);
/** The server's errors: status, code, then the message. */
const STATUS_CODED = new Set(['ApiError']);
/** Errors whose first argument is the message. */
const PLAIN = new Set(['Error', 'RangeError', 'TypeError', 'fail']);

function isMessage(path) {
  const parent = path.parentPath;
  if (!parent?.isNewExpression() && !parent?.isCallExpression()) return false;
  const callee = parent.node.callee;
  if (callee.type !== 'Identifier') return false;
  const at = parent.node.arguments.indexOf(path.node);
  if (CODED.has(callee.name)) return at === 1;
  if (STATUS_CODED.has(callee.name)) return at === 2;
  if (PLAIN.has(callee.name)) return at === 0;
  return false;
}

export const strykerPlugins = [
  {
    kind: 'Ignore',
    name: 'error-messages',
    value: {
      shouldIgnore(path) {
        if ((path.isStringLiteral() || path.isTemplateLiteral()) && isMessage(path)) {
          return 'an error message: callers narrow on the code, never on the text';
        }
        return undefined;
      },
    },
  },
];
