// `npm start`: the local stack (coming with the lifecycle issue).
console.log('The local stack is coming soon: see README.');
