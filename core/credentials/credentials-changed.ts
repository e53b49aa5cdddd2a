// The notice that a camera's sealed credentials changed in the database (set through the API): it names the camera
// only, never the credentials, and each ingest process reads them from cameras.credentials_enc itself.
import { Type, type Static } from '@sinclair/typebox';
import { Timestamp } from '../events/index.ts';

export const CameraCredentialsChanged = Type.Object(
  {
    cameraId: Type.String({ minLength: 1, maxLength: 128 }),
    ts: Timestamp,
  },
  { $id: 'CameraCredentialsChanged', description: "Tells ingest to reload one camera's sealed credentials and prepare it again" },
);
export type CameraCredentialsChanged = Static<typeof CameraCredentialsChanged>;
