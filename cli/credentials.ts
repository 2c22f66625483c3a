// The identity token the deployed functions want, from Application Default Credentials — and, when there is none,
// the command that gets one, in place of the library's "Could not load the default credentials".
import { GoogleAuth } from 'google-auth-library';
import { VIA_ENV } from './connect-via.js';
import { CliError, EXIT } from './exit-codes.js';

/** The `Authorization` header for a call to `audience` (the function's URL). */
export type Authorize = (audience: string) => Promise<string>;

/** What to do about `error`, as the lines an admin reads. */
function credentialsAdvice(error: Error, env: NodeJS.ProcessEnv, viaGiven: boolean): string {
  const said = error.message.split(/(?<=\.)\s/)[0] ?? error.message;
  const keyFile = env.GOOGLE_APPLICATION_CREDENTIALS;
  const lines = [
    keyFile
      ? `no identity token from GOOGLE_APPLICATION_CREDENTIALS (${keyFile}): ${said}`
      : /Could not load the default credentials/.test(error.message)
        ? 'no Google credentials to call the functions with (Application Default Credentials found none)'
        : `no identity token from Application Default Credentials: ${said}`,
    keyFile
      ? '  point it at a service account key file, or unset it and sign in: gcloud auth application-default login'
      : '  sign in (again, once a sign-in has expired): gcloud auth application-default login',
    '  (your account must be one of Terraform’s invokers)',
  ];
  if (!viaGiven)
    lines.push(
      `  the functions answer only inside their network: open the tunnel, then --via 127.0.0.1:PORT or ${VIA_ENV}`,
      '  (terraform/README.md, step 9); --local uses the local stack instead',
    );
  return lines.join('\n');
}

/** Application Default Credentials' identity token for the function, as Cloud Run's invoker check wants it. */
export function adcAuthorize(env: NodeJS.ProcessEnv, viaGiven: boolean): Authorize {
  const auth = new GoogleAuth();
  return async (audience) => {
    try {
      const client = await auth.getIdTokenClient(audience);
      const headers = await client.getRequestHeaders();
      return headers.get('authorization') ?? '';
    } catch (error) {
      throw new CliError(EXIT.unreachable, credentialsAdvice(error as Error, env, viaGiven));
    }
  };
}
