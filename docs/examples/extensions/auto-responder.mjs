// @ts-check
/**
 * An auto-responder, as a Parley extension: every direct message to AUTO_RESPONDER_ACCOUNT
 * (default `helpdesk`) is answered, as that account, with AUTO_RESPONDER_TEXT.
 *
 *   AUTO_RESPONDER_ACCOUNT=helpdesk AUTO_RESPONDER_TEXT="Out of office until Monday." \
 *   PARLEY_EXTENSIONS=/etc/parley/auto-responder.mjs npm start
 *
 * Written as a function of Parley's API rather than with `import ... from 'parley/extensions'`,
 * so the file works from anywhere, outside the Parley folder too. Its reply goes through
 * Parley's own send path (permissions, the other extensions' before-store hooks); a message an
 * extension sent runs no after-delivery hooks, so it never answers its own reply.
 */

/** @import { ParleyApi, MessageHooks, MessageSender } from 'parley/extensions' */

/** @param {ParleyApi} parley */
export default function autoResponder({ Inject, Logger, MessageHooks, MessageSender, Module }) {
  const account = process.env.AUTO_RESPONDER_ACCOUNT ?? 'helpdesk';
  const reply = process.env.AUTO_RESPONDER_TEXT ?? `Thanks for your message. Nobody reads ${account} right now; we will answer as soon as we can.`;
  const logger = new Logger('auto-responder');

  class AutoResponderModule {
    /**
     * @param {MessageHooks} hooks
     * @param {MessageSender} sender
     */
    constructor(hooks, sender) {
      hooks.afterDelivery(async ({ sender: from, target }) => {
        if (target.kind !== 'user' || target.user !== account) return;
        const ack = await sender.sendAs(account, `user:${from.username}`, reply);
        logger.log(`Answered ${from.username} (message ${ack.id})`);
      });
    }
  }
  Inject(MessageHooks)(AutoResponderModule, undefined, 0);
  Inject(MessageSender)(AutoResponderModule, undefined, 1);
  Module({})(AutoResponderModule);
  return AutoResponderModule;
}
