// Errors in the XML API's shape, which is how Cloud Storage answers requests made with signed URLs.

export class XmlError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Further elements of the answer, in order: Details, ParameterName, StringToSign, CanonicalRequest. */
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'XmlError';
  }

  toXml(): string {
    const elements = Object.entries({ Code: this.code, Message: this.message, ...this.fields })
      .map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`)
      .join('');
    return `<?xml version='1.0' encoding='UTF-8'?><Error>${elements}</Error>`;
  }
}

/**
 * 400 MalformedSecurityHeader "Your request has a malformed header.", naming the parameter, as the service
 * answers a signed URL it cannot read (quoted from the service in googleapis/google-cloud-go#1062 and
 * googleapis/nodejs-storage#704).
 */
export function malformed(parameter: string, details: string): XmlError {
  return new XmlError(400, 'MalformedSecurityHeader', 'Your request has a malformed header.', {
    ParameterName: parameter,
    Details: details,
  });
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
