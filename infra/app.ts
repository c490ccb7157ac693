// The CDK app (filled by the AWS-stack issue).
import { App } from 'aws-cdk-lib';

const app = new App();
app.synth();
