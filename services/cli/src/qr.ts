// A QR code drawn with block characters, for an authenticator app to scan off the terminal.
import QRCode from 'qrcode';

export function terminalQr(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'terminal', small: true });
}

/** Whether a stream is a terminal (QR codes and progress bars only go to one). */
export function isTerminal(stream: NodeJS.WritableStream): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}
