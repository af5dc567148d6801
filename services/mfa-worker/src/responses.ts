// The three answers to an Access-Request, signed with the client's secret. buildResponse puts
// Message-Authenticator first and echoes Proxy-State (PROTOCOL-CASES 15, 26).
import { Attr, Code, buildResponse, octetsAttribute, replyMessageAttributes, type RadiusAttribute, type RadiusPacket } from '@radius-mfa/radius-protocol';

export interface ResponseBuilder {
  accept(attributes: readonly RadiusAttribute[], message?: string): Buffer;
  reject(message?: string): Buffer;
  /** PROTOCOL-CASES 25: every Access-Challenge has both State and Reply-Message (pam_radius needs both). */
  challenge(state: Buffer, message: string): Buffer;
}

export function responsesFor(request: RadiusPacket, secret: Buffer): ResponseBuilder {
  return {
    accept(attributes, message) {
      return buildResponse(request, Code.AccessAccept, [...(message ? replyMessageAttributes(message) : []), ...attributes], secret);
    },
    reject(message) {
      return buildResponse(request, Code.AccessReject, message ? replyMessageAttributes(message) : [], secret);
    },
    challenge(state, message) {
      return buildResponse(request, Code.AccessChallenge, [...replyMessageAttributes(message), octetsAttribute(Attr.State, state)], secret);
    },
  };
}
