// Voice approval callbacks (ACS Call Automation): the approver verifies the signed callback URL
// and reads the events; a final outcome decides the challenge like a tap on the approval page.
import { VOICE_CALLBACK_PATH, type AcsVoiceApprover } from '@radius-mfa/directory';

/** What the callback route needs of `AcsVoiceApprover` (a stand-in in tests). */
export type VoiceCallbackHandler = Pick<AcsVoiceApprover, 'handleEvents'>;

/** Route template; `AcsVoiceApprover.callbackUrl` appends `/{challengeId}?sig=…` to `{publicUrl}/v1/voice/callback`. */
export const VOICE_CALLBACK_ROUTE = `${VOICE_CALLBACK_PATH}/:challengeId`;

/** The one definition lives beside the approver (libs/directory), which the worker builds too. */
export { voiceCallbackBaseUrl } from '@radius-mfa/directory';
